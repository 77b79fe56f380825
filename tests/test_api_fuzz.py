"""Fuzzed requests to every API endpoint never get a 500 (issue 12): every refusal is JSON
{code, message}.

The operations come from the OpenAPI schema, and the schema is checked against the URL
patterns, so a new endpoint is fuzzed without touching this file. Each operation gets bodies
shaped like its documented request (every field a random JSON value, often the right type),
arbitrary JSON, deeply nested JSON, NUL characters, huge numbers, long strings and bytes that
are no JSON at all; GET operations get random query parameters. Requests are signed in with a
supervisor's token and carry the claim token of a list the supervisor holds.
"""

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from profiles.models import ClientSettings
from tests.builders import build_list, build_station, build_worker, claimed

pytestmark = pytest.mark.django_db
API_PREFIX = "/api/v1/"
NOT_FUZZED = {"/api/v1/schema/", "/api/v1/docs/"}  # documentation pages, not operations


def schema_operations():
    """[(method, path template, operation)] of the OpenAPI schema (request=None: public)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, item in sorted(schema["paths"].items()):
        for method, operation in sorted(item.items()):
            if method in {"get", "post", "put", "patch", "delete"}:
                operations.append((method, path, operation))
    return operations, schema.get("components", {}).get("schemas", {})


def url_templates(patterns=None, prefix=""):
    """Every API route as an OpenAPI-style template ('/api/v1/lists/{id}/scan/')."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    out = set()
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            out |= url_templates(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith(API_PREFIX[1:]):
            out.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}"))
    return out


OPERATIONS, COMPONENTS = schema_operations()


def test_every_api_route_is_in_the_schema_and_fuzzed():
    documented = {path for _m, path, _o in OPERATIONS}
    assert url_templates() - NOT_FUZZED <= documented


# --- values ----------------------------------------------------------------------------------

NASTY = st.sampled_from(["\x00", "a\x00b", "²", "٣", "-1", "0", "1e400", "NaN", "%00", "\ud7ff",
                        "9" * 40, "x" * 201, "x" * 5000, " ", "[]", "{}", "null", "١٢"])
nasty_text = st.one_of(NASTY, NASTY, st.text(max_size=40))
numbers = st.one_of(
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.sampled_from([2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 63 - 1, 2 ** 63, 2 ** 64, -1, 0]),
    st.floats(allow_nan=False, allow_infinity=False),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, nasty_text)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(nasty_text, children, max_size=4)),
    max_leaves=12,
)


def typed_value(schema, components, depth=0, name=None, plausible=None):
    """A value of the schema's type (or any JSON value, one time in four); for a field the
    world knows (a client code, a station), often a real one, so requests get past lookups."""
    plausible = plausible or {}
    if name in plausible:
        return st.one_of(plausible[name], typed_value(schema, components, depth, None, plausible))
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        schema = schema["allOf"][0]
        return typed_value(schema, components, depth, None, plausible)
    kind = schema.get("type")
    if depth > 3 or kind is None:
        return json_values
    if "enum" in schema:
        typed = st.sampled_from([v for v in schema["enum"] if v is not None] or [None])
    elif kind == "object":
        typed = shaped_body(schema, components, depth + 1, plausible)
    elif kind == "array":
        typed = st.lists(typed_value(schema.get("items", {}), components, depth + 1,
                                     None, plausible), max_size=3)
    elif kind == "integer":
        typed = numbers
    elif kind == "boolean":
        typed = st.booleans()
    else:
        typed = nasty_text
    return st.one_of(typed, typed, typed, json_values)


def shaped_body(schema, components, depth=0, plausible=None):
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    properties = schema.get("properties") or {}
    if not properties:
        return st.dictionaries(nasty_text, json_values, max_size=4)
    fields = {name: typed_value(prop, components, depth, name, plausible)
              for name, prop in properties.items()}
    return st.one_of(st.fixed_dictionaries(fields), st.fixed_dictionaries({}, optional=fields))


def deep(depth, opener, closer, leaf="1"):
    return opener * depth + leaf + closer * depth


deep_json = st.integers(min_value=30, max_value=5000).flatmap(lambda n: st.sampled_from([
    deep(n, "[", "]"), deep(n, '{"a":', "}"), '{"orders": ' + deep(n, "[", "]") + "}",
    '{"client": "M", "list_name": "L", "orders": [{"order_number": "1", "courier": "D", '
    '"items": [{"sku": "A", "quantity": 1, "x": ' + deep(n, '{"a":', "}") + "}]}]}",
]))
raw_bodies = st.one_of(deep_json, st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
                       st.sampled_from(['{"a": "\\u0000"}', '"\\u0000"', "[]", "1", "null",
                                        '{"quantity": 1e999}', "{", "\x00"]))


def request_schema(operation, components):
    content = (operation.get("requestBody") or {}).get("content") or {}
    for media in ("application/json", "multipart/form-data", "application/x-www-form-urlencoded"):
        if media in content:
            schema = content[media].get("schema") or {}
            if "$ref" in schema:
                schema = components[schema["$ref"].rsplit("/", 1)[-1]]
            return media, schema
    return None, {}


def form_value(value):
    """A multipart field is text: JSON values other than text go as their JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def bodies(operation, components, plausible):
    media, schema = request_schema(operation, components)
    shaped = shaped_body(schema, components, 0, plausible) if schema else json_values
    if media == "multipart/form-data":
        return st.tuples(st.just("multipart"), shaped.map(
            lambda body: {k: form_value(v) for k, v in body.items()}
            if isinstance(body, dict) else {"x": form_value(body)}))
    return st.one_of(
        st.tuples(st.just("json"), shaped),
        st.tuples(st.just("json"), shaped),
        st.tuples(st.just("json"), shaped),
        st.tuples(st.just("json"), json_values),
        st.tuples(st.just("raw"), raw_bodies),
    )


def query_params(operation):
    names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
    return st.dictionaries(st.sampled_from(names or ["x"]), nasty_text, max_size=3)


# --- the world the requests act on -----------------------------------------------------------

@pytest.fixture
def world(monkeypatch):
    """A supervisor with a token, a list they hold (with its claim token), an order."""
    from sessions.labels import printing

    class Printer:  # takes whatever it is sent, without a network
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def settimeout(self, *args):
            pass

        def sendall(self, *args):
            pass

        def shutdown(self, *args):
            pass

    monkeypatch.setattr(printing.socket, "create_connection", Printer)
    supervisor = build_worker(role="supervisor")
    packing_list = build_list({"#1001": [("SKU-A", 2)], "#1002": [("SKU-B", 1)]})
    ClientSettings.objects.create(client=packing_list.session.client,
                                  printer_address="127.0.0.1:9")
    station = build_station("PC-FUZZ")
    claim = claimed(packing_list, worker=supervisor, station=station)
    api = APIClient(raise_request_exception=False)
    token = Token.objects.create(user=supervisor.user)
    return {"api": api, "token": token.key, "claim": claim, "list": packing_list,
            "order": packing_list.orders.first()}


def plausible(world):
    """Real values for fields that name something, mixed into the fuzzed ones."""
    code = world["list"].session.client.code
    return {
        "client": st.sampled_from([code, code.lower(), "NOPE"]),
        "station": st.sampled_from(["PC-FUZZ", str(world["claim"].station.pk), "PC-NONE"]),
        "item": st.sampled_from([i.pk for i in world["order"].items.all()] + [2 ** 40]),
        "order": st.sampled_from([world["order"].pk, 2 ** 63]),
        "code": st.sampled_from(["#1001", "SKU-A", "#1002", "CMD:SKIP", "\t#1001\r"]),
        "orders": st.lists(st.fixed_dictionaries(
            {"order_number": nasty_text, "courier": st.sampled_from(["DHL", ""])},
            optional={"items": st.lists(st.fixed_dictionaries(
                {"sku": nasty_text, "quantity": st.one_of(numbers, nasty_text)}), max_size=3)}),
            max_size=3),
        "password": st.sampled_from(["wrong", ""]),
    }


def fill(path, world, data):
    """The path with real ids (mostly) or fuzzed ones."""
    ids = {"id": world["list"].pk}
    if path.startswith(f"{API_PREFIX}orders/"):
        ids["id"] = world["order"].pk
    if path.startswith(f"{API_PREFIX}clients/"):
        ids["id"] = world["list"].session.client_id
    if path.startswith(f"{API_PREFIX}sessions/"):
        ids["id"] = world["list"].session_id
    ids["id"] = data.draw(st.one_of(st.just(ids["id"]), st.just(ids["id"]),
                                    st.integers(min_value=0, max_value=2 ** 70)))
    ids["fmt"] = data.draw(st.sampled_from(["pdf", "zpl", "x"]))
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


def send(world, method, url, kind, payload, params):
    headers = {"HTTP_AUTHORIZATION": f"Token {world['token']}",
               "HTTP_X_CLAIM_TOKEN": world["claim"].token}
    api = world["api"]
    if method == "get":
        return api.get(url, params, **headers)
    call = getattr(api, method)
    if kind == "multipart":
        return call(url, payload, format="multipart", **headers)
    body = payload if kind == "raw" else json.dumps(payload, allow_nan=False)
    return call(url, body, content_type="application/json", **headers)


def assert_clean_answer(response, what):
    assert response.status_code < 500, (what, response.status_code, response.content[:500])
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), (what, response)
        body = response.json()
        assert isinstance(body.get("code"), str) and body["code"], (what, body)
        assert isinstance(body.get("message"), str), (what, body)


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS,
                         ids=[f"{m} {p}" for m, p, _o in OPERATIONS])
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_requests_never_get_a_500(world, method, path, operation, data):
    components = COMPONENTS
    url = fill(path, world, data)
    if method == "get":
        kind, payload = None, None
        params = data.draw(query_params(operation))
    else:
        kind, payload = data.draw(bodies(operation, components, plausible(world)))
        params = None
    response = send(world, method, url, kind, payload, params)
    assert_clean_answer(response, (method, url, kind, payload if kind != "raw" else
                                   str(payload)[:200], params))
