"""Readable device names for FIT `file_id` / `device_info` fields.

fitparse 1.2.0 ships a 2020 profile, so newer watches come back as bare numbers
(3113 is a Forerunner 945, manufacturer 294 is COROS). Garmin's own FIT SDK package carries
the current profile; its type tables are the single source of names here.
"""

from __future__ import annotations

from functools import lru_cache

# Garmin product names in the profile are short codes ("fr945", "fenix6S", "edge530").
_PREFIXES = (
    ("fr", "Forerunner "),
    ("fenix", "fēnix "),
    ("edge", "Edge "),
    ("vivo_active", "vívoactive "),
    ("vivoactive", "vívoactive "),
    ("epix", "epix "),
    ("enduro", "Enduro "),
    ("venu", "Venu "),
    ("instinct", "Instinct "),
    ("hrm", "HRM "),
)
_MANUFACTURER_NAMES = {"coros": "COROS", "wahoo_fitness": "Wahoo", "zwift": "Zwift", "hrm1": "HRM1"}
_GARMIN_FAMILY = {"garmin", "dynastream", "dynastream_oem"}


@lru_cache(maxsize=1)
def _profile_types() -> dict:
    from garmin_fit_sdk import Profile

    return Profile["types"]


def _as_name(value: object, table: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and not value.isdigit():
        return value
    try:
        return _profile_types()[table].get(int(value))
    except (TypeError, ValueError):
        return None


def pretty_manufacturer(value: object) -> str:
    name = _as_name(value, "manufacturer")
    if name is None:
        return f"manufacturer {value}" if value is not None else "unknown maker"
    return _MANUFACTURER_NAMES.get(name, name.replace("_", " ").title())


def pretty_garmin_product(code: str) -> str:
    lowered = code.lower()
    for prefix, label in _PREFIXES:
        if lowered.startswith(prefix) and len(code) > len(prefix):
            rest = code[len(prefix):].strip("_")
            return (label + rest.replace("_", " ")).strip()
    return code.replace("_", " ").title()


def describe_device(manufacturer: object, product: object, product_name: object = None) -> str:
    """'Garmin Forerunner 945', 'COROS (product 841)', 'Suunto (product 34)', or 'unknown device'."""
    maker_code = _as_name(manufacturer, "manufacturer")
    maker = pretty_manufacturer(manufacturer) if manufacturer is not None else None
    if isinstance(product_name, str) and product_name.strip():
        label = product_name.strip()
        return label if maker is None or label.lower().startswith(maker.lower()) else f"{maker} {label}"
    if product is None:
        return maker or "unknown device"
    if maker_code in _GARMIN_FAMILY or maker_code is None and isinstance(product, str):
        code = _as_name(product, "garmin_product")
        if code is not None:
            return f"{maker or 'Garmin'} {pretty_garmin_product(code)}"
    if isinstance(product, str) and not product.isdigit():
        return f"{maker} {product}" if maker else product
    return f"{maker or 'unknown maker'} (product {product})"

