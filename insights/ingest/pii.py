"""Personal data: columns that are never stored, and e-mails/phone numbers masked in any text
that is stored (region, channel, topic, rejection reasons, log entries).

>>> mask_pii("promo para carlos@example.com tel 5512345678")
'promo para <e-mail> tel <phone>'
>>> mask_pii("video 123456789, sku 7501055363057, +52 55 1234 5678, (55) 1234-5678")
'video 123456789, sku 7501055363057, <phone>, <phone>'
>>> mask_pii("views is not a number: '2024-03-15 20:00'")
"views is not a number: '2024-03-15 20:00'"
>>> is_pii_column("Nombre completo"), is_pii_column("WhatsApp"), is_pii_column("Zone name")
(True, True, False)
"""

from __future__ import annotations

import re

from insights.regions import name_key

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# A phone number: after a "+", 8 to 15 digits; without one, 10 to 12 digits (Mexico's and
# Brazil's national numbers, with or without the country code), optionally with spaces, dots,
# dashes and brackets between them. Shorter or longer plain digit runs (ids, SKUs, dates like
# 20240315) are left alone so that distinct topics stay distinct.
PHONE_RE = re.compile(
    r"(?<![\w.+])(?:\+\(?\d(?:[\s().-]{0,2}\d){7,14}|\(?\d(?:[\s().-]{0,2}\d){9,11})(?![\w])"
)
DATE_LIKE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")

# Column names (keys as name_key writes them) and words that mark a personal column.
PII_NAMES = {
    "user id",
    "userid",
    "user",
    "usuario",
    "usuario id",
    "id usuario",
    "email",
    "e mail",
    "mail",
    "correo",
    "correo electronico",
    "ip",
    "ip address",
    "direccion ip",
    "endereco ip",
    "phone",
    "telefono",
    "telefone",
    "celular",
    "movil",
    "whatsapp",
    "cpf",
    "cnpj",
    "curp",
    "rfc",
    "rut",
    "dni",
    "rg",
    "documento",
    "document",
    "nombre",
    "nombre completo",
    "name",
    "full name",
    "nome",
    "nome completo",
    "apellido",
    "sobrenome",
    "direccion",
    "endereco",
    "address",
    "device id",
    "cookie id",
    "client id",
    "customer id",
    "cliente",
}
PII_WORDS = {
    "email",
    "mail",
    "correo",
    "phone",
    "telefono",
    "telefone",
    "celular",
    "movil",
    "whatsapp",
    "cpf",
    "curp",
    "documento",
    "document",
    "direccion",
    "endereco",
    "address",
    "ip",
    "userid",
    "apellido",
    "sobrenome",
}


def is_pii_column(name: str) -> bool:
    """Whether a column holds personal identifiers (by its name, in ES/PT/EN)."""
    key = name_key(re.sub(r"([a-z])([A-Z])", r"\1 \2", name))  # userId -> user id
    if key in PII_NAMES or key.replace(" ", "") in PII_NAMES:
        return True
    return bool(set(key.split()) & PII_WORDS)


def _phone(m: re.Match) -> str:
    text = m.group(0)
    return text if DATE_LIKE_RE.match(text) else "<phone>"


def mask_pii(text: str | None) -> str | None:
    """``text`` with e-mail addresses and phone numbers replaced by ``<e-mail>``/``<phone>``."""
    if not text:
        return text
    return PHONE_RE.sub(_phone, EMAIL_RE.sub("<e-mail>", text))
