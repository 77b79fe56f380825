"""English, Ukrainian and Bulgarian: complete catalogues, compiled, chosen by the user or the
browser, and used by the pages and the station's script texts."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from sessions.web.strings import station_strings
from tests.builders import build_list, build_station, build_user

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGS = ["uk", "bg"]


def po_entries(lang):
    """(msgid, [msgstr…], flags) of every entry of the language's django.po."""
    text = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n")[1:]:
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not msgid:
            continue
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        flags = " ".join(re.findall(r"^#, (.*)$", block, re.M))
        join = lambda s: "".join(re.findall(r'"(.*)"', s))  # noqa: E731
        entries.append((join(msgid.group(1)), [join(s) for s in strs], flags))
    return entries


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    entries = po_entries(lang)
    assert len(entries) > 400
    untranslated = [mid for mid, strs, _flags in entries if not all(strs)]
    fuzzy = [mid for mid, _strs, flags in entries if "fuzzy" in flags]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_matches_the_po_file(lang):
    catalogue = gettext.GNUTranslations(
        (LOCALE / lang / "LC_MESSAGES" / "django.mo").open("rb"))
    for msgid, strs, _flags in po_entries(lang):
        if len(strs) == 1 and "\\" not in msgid:
            assert catalogue.gettext(msgid) == strs[0], msgid


@pytest.mark.parametrize("lang", LANGS)
def test_station_script_texts_are_translated(lang):
    with translation.override("en"):
        english = station_strings()
    with translation.override(lang):
        translated = station_strings()
    same = [k for k, v in english.items() if k != "outcomes" and translated[k] == v]
    same += [k for k, v in english["outcomes"].items() if translated["outcomes"][k] == v]
    assert same == []


@pytest.mark.django_db
@pytest.mark.parametrize("lang, title", [("en", "Choose a packing list"),
                                         ("uk", "Виберіть пакувальний список"),
                                         ("bg", "Изберете списък за опаковане")])
def test_browser_language_is_the_default(client, lang, title):
    client.force_login(build_user(role="packer"))
    client.cookies["packer_station"] = build_station().name
    response = client.get("/station/", HTTP_ACCEPT_LANGUAGE=f"{lang},en;q=0.5")
    assert title in response.content.decode()


@pytest.mark.django_db
def test_language_switcher_changes_every_page(client):
    client.force_login(build_user(role="packer"))
    packing_list = build_list({"A-1": [("X", 1)]})
    response = client.post("/i18n/setlang/", {"language": "bg", "next": "/sessions/"})
    assert response.status_code == 302
    html = client.get("/sessions/", {"tab": "available"}).content.decode()
    assert "Налични" in html and packing_list.name in html
    assert 'lang="bg"' in html
    html = client.get("/dashboard/").content.decode()
    assert "Опаковани поръчки" in html


@pytest.mark.django_db
def test_language_can_be_chosen_on_the_sign_in_page(client):
    response = client.post("/i18n/setlang/", {"language": "uk", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "Увійти" in client.get("/accounts/login/").content.decode()
