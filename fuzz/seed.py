#!/usr/bin/env python3
"""Adds seed inputs to the corpora in fuzz/corpus/<target>/ from the example scenarios, the
malformed-input catalogue and small hand-made inputs (each named by its SHA-1, as libFuzzer
names its own). Run it when scenarios or the catalogue grow, then `scripts/fuzz.sh --cmin` to
shrink the corpora again before committing them. Deterministic; it never deletes a file."""

import base64, hashlib, json, os, pathlib, struct, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "corpus"
MAX = 64 * 1024

out = {t: {} for t in ["policy", "scenario", "condition", "wildcard", "blob", "xks", "sigv4", "share"]}

def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) <= MAX:
        out[target][hashlib.sha1(data).hexdigest()] = data

def catalogue_input(j):
    if isinstance(j, str):
        return j
    if isinstance(j, list):
        return "".join(catalogue_input(p) for p in j)
    return j.get("repeat", "") * int(j.get("times", 0))

def policies(v):
    """Every object that looks like a policy document, anywhere in a scenario."""
    if isinstance(v, dict):
        if "Statement" in v:
            yield v
        for x in v.values():
            yield from policies(x)
    elif isinstance(v, list):
        for x in v:
            yield from policies(x)

def strings(v):
    if isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
    elif isinstance(v, str):
        yield v

def proxies(v):
    if isinstance(v, dict):
        if "proxy" in v and isinstance(v["proxy"], dict):
            yield v["proxy"]
        for x in v.values():
            yield from proxies(x)
    elif isinstance(v, list):
        for x in v:
            yield from proxies(x)

# Scenarios: whole files, their policies (every kind selector), their patterns.
for path in sorted((ROOT / "scenarios").rglob("*.json")):
    text = path.read_text()
    add("scenario", text)
    try:
        doc = json.loads(text)
    except ValueError:
        continue
    for i, p in enumerate(policies(doc)):
        add("policy", bytes([i % 5, ]) + json.dumps(p, indent=1).encode())
        add("policy", b"\x83" + json.dumps(p).encode())
    for s in strings(doc):
        if ("*" in s or "?" in s) and len(s) < 200:
            # arbitrary's String pair: the pattern, then the text (the rest of the input).
            add("wildcard", bytes([len(s.encode())]) + s.encode() + s.replace("*", "abc").replace("?", "x").encode())
    for p in proxies(doc):
        add("xks", b"\x02" + json.dumps(p).encode())

# The malformed catalogue: each case goes to the target that reads its kind.
cat = json.loads((ROOT / "crates/engine/tests/malformed/catalogue.json").read_text())
for c in cat:
    text = catalogue_input(c["input"])
    kind = c["kind"]
    if kind in ("scenario", "run", "json"):
        add("scenario", text)
    if kind in ("policy", "policy-lint", "json"):
        add("policy", b"\x00" + text.encode())
    if kind == "scp":
        add("policy", b"\x01" + text.encode())
    if kind == "key-policy":
        add("policy", b"\x83" + text.encode())
    if kind == "share":
        add("share", text)
    if kind == "ciphertext":
        try:
            add("blob", bytes.fromhex(text))
        except ValueError:
            pass

# Hand-made: blobs of both versions, share links, XKS bodies and health answers, SigV4 headers.
key_id = b"1234abcd-12ab-34cd-56ef-1234567890ab"
add("blob", b"KL\x01" + bytes([len(key_id)]) + key_id + struct.pack(">I", 1) + b"\x00" * 12 + b"\x11" * 32)
add("blob", b"KL\x02" + bytes([len(key_id)]) + key_id + b"\x0c" + b"\x01" * 12 + b"\x02" * 16 + b"\x03abc" + b"\x04" * 40)
add("blob", b"KL\x02\x01k\x10" + b"\x01" * 16 + b"\x02" * 16 + b"\x00" + b"\x05")
for s in ["", "a", "{\"kmslab\":1}", "\u00e9\u4e2d\U0001F600" * 5, "abcabcabcabc" * 50]:
    add("share", s)
md = {"awsPrincipalArn": "arn:aws:iam::111122223333:role/app", "kmsOperation": "Encrypt",
      "kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae",
      "kmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
pt = base64.b64encode(b"hello").decode()
bodies = [
    (0, {"requestMetadata": {"kmsOperation": "KmsHealthCheck", "kmsRequestId": "1"}}),  # health
    (1, {"requestMetadata": md}),  # metadata, ext-key-1
    (2, {"requestMetadata": md, "plaintext": pt, "encryptionAlgorithm": "AES_GCM",
         "additionalAuthenticatedData": base64.b64encode(b"aad").decode(),
         "ciphertextDataIntegrityValueAlgorithm": "SHA_256"}),  # encrypt
    (3, {"requestMetadata": md, "ciphertext": pt, "encryptionAlgorithm": "AES_GCM",
         "initializationVector": base64.b64encode(b"\x00" * 12).decode(),
         "authenticationTag": base64.b64encode(b"\x00" * 16).decode()}),  # decrypt
]
for pick, body in bodies:
    add("xks", bytes([pick * 3]) + json.dumps(body).encode())
add("xks", b"\x01" + json.dumps({"xksProxyFleetSize": 2, "xksProxyVendor": "v", "xksProxyModel": "m",
    "ekmVendor": "e", "ekmFleetDetails": [{"id": "h1", "model": "m", "healthStatus": "ACTIVE"}]}).encode())
add("sigv4", b"POST\x00/kms/xks/v1/health\x00" + b"AWS4-HMAC-SHA256 Credential=AKIDFUZZEXAMPLE/20261122/us-east-1/kms-xks-proxy/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + b"0" * 64)
add("sigv4", b"\x01\x02authorization\x00x-amz-date\x0020261122T120000Z")
add("condition", b"\x00" * 64)
add("condition", bytes(range(256)))

for target, files in out.items():
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (d / name).write_bytes(data)
    print(f"{target}: {len(files)} seeds", file=sys.stderr)
