"""Client profiles and SKU mappings from `Clients/CLIENT_{ID}/` (and the E1 `CLIENTS/` tree).

Name: packer_config.json → client_config.json → config.json → the code. Map: a non-empty
packer_config.json `sku_mapping`, else sku_mapping.json `mappings` (the old app's own fallback).
Keys are stored raw; two raw keys that normalise alike keep the later one, as the old app did,
and the report names them.
"""

from dataclasses import dataclass, field
from datetime import time

from django.core.exceptions import ValidationError

from profiles.models import Client, CourierDeadline, SkuMapping, validate_client_code
from profiles.normalize import normalize_barcode
from sessions.legacy.jsonio import read_json_or_none
from sessions.legacy.tree import client_folders


@dataclass
class ClientProfile:
    code: str
    name: str = ""
    mapping: dict = field(default_factory=dict)  # normalised barcode -> (raw barcode, sku)
    duplicates: list = field(default_factory=list)
    deadlines: dict = field(default_factory=dict)
    source: str = ""


def _merge_mapping(profile, raw_map, path, problems):
    if not isinstance(raw_map, dict):
        problems.add(path, "SKU mapping is not an object; ignored")
        return
    for raw, sku in raw_map.items():
        norm = normalize_barcode(raw)
        sku = "" if sku is None else str(sku).strip()
        if not norm or not sku:
            problems.add(path, f"mapping {raw!r} → {sku!r} has no usable barcode or SKU; skipped")
            continue
        if norm in profile.mapping and profile.mapping[norm] != (str(raw).strip(), sku):
            old_raw, old_sku = profile.mapping[norm]
            profile.duplicates.append(
                {"barcode": norm, "kept": {"barcode": str(raw).strip(), "sku": sku},
                 "dropped": {"barcode": old_raw, "sku": old_sku}, "path": str(path)}
            )
        profile.mapping[norm] = (str(raw).strip(), sku)


def read_profile(code, folders, problems):
    """Profile of one client from its folders (E2+ first, then E1)."""
    profile = ClientProfile(code=code)
    names, map_sources, deadlines = [], [], {}
    for folder in folders:
        packer = read_json_or_none(folder / "packer_config.json", problems)
        client_cfg = read_json_or_none(folder / "client_config.json", problems)
        old_cfg = read_json_or_none(folder / "config.json", problems)
        old_map = read_json_or_none(folder / "sku_mapping.json", problems)
        for doc in (packer, client_cfg, old_cfg):
            if doc and str(doc.get("client_name") or "").strip():
                names.append(str(doc["client_name"]).strip())
            if doc and isinstance(doc.get("courier_deadlines"), dict):
                for courier, value in doc["courier_deadlines"].items():
                    deadlines.setdefault(courier, value)
        if packer and packer.get("sku_mapping"):
            map_sources.append((folder / "packer_config.json", packer["sku_mapping"]))
        elif old_map and old_map.get("mappings"):
            map_sources.append((folder / "sku_mapping.json", old_map["mappings"]))
    profile.name = names[0] if names else code
    profile.deadlines = deadlines
    if map_sources:
        path, raw_map = map_sources[0]
        profile.source = str(path)
        _merge_mapping(profile, raw_map, path, problems)
    return profile


def all_profiles(trees, session_clients, problems):
    """Profiles of every client that has a profile folder or session folders."""
    folders = {}
    for tree in trees:
        for code, path in client_folders(tree.get("clients"), problems).items():
            folders.setdefault(code, []).append(path)
    codes = sorted(set(folders) | set(session_clients))
    profiles = {}
    for code in codes:
        try:
            validate_client_code(code)
        except ValidationError as exc:
            where = (folders.get(code) or [code])[0]
            problems.add(where, f"client code {code!r} cannot be used here: "
                                f"{' '.join(exc.messages)}; its data was not imported")
            continue
        profiles[code] = read_profile(code, folders.get(code, []), problems)
    return profiles


def _deadline(value):
    try:
        hh, mm = str(value).strip().split(":")[:2]
        return time(int(hh), int(mm))
    except (ValueError, TypeError):
        return None


def save_profile(profile, problems, *, dry_run):
    """Create the client, its courier deadlines and mappings; existing rows are kept as they are.

    Returns (client or None on a dry run for a new client, created, mapping figures).
    """
    client = Client.objects.filter(code=profile.code).first()
    created = client is None
    figures = {"created": 0, "existing": 0, "conflicts": 0, "source": profile.source}
    existing = {}
    if client is not None:
        existing = dict(SkuMapping.objects.filter(client=client)
                        .values_list("normalized_barcode", "sku"))
    for norm, (raw, sku) in profile.mapping.items():
        if norm not in existing:
            figures["created"] += 1
        elif existing[norm] == sku:
            figures["existing"] += 1
        else:
            figures["conflicts"] += 1
            problems.add(profile.source, f"barcode {raw!r} maps to {existing[norm]!r} on the "
                                         f"server "
                                         f"but to {sku!r} on the share; the server's mapping kept")
    if dry_run:
        return client, created, figures
    if client is None:
        client = Client.objects.create(code=profile.code, name=profile.name[:200])
        for courier, value in profile.deadlines.items():
            at = _deadline(value)
            if at and courier:
                CourierDeadline.objects.create(client=client, courier=str(courier)[:100],
                                               deadline=at)
    SkuMapping.objects.bulk_create([
        SkuMapping(client=client, barcode=raw[:200], normalized_barcode=norm, sku=sku[:200])
        for norm, (raw, sku) in profile.mapping.items() if norm not in existing
    ])
    return client, created, figures
