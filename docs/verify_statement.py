#!/usr/bin/env python3
"""Check a Coalition statement's signatures against a signed checkpoint of the platform's audit ledger.

Needs Python 3.11+ and the `cryptography` package, nothing of the platform. Download:

  1. the statement's verification: https://<site>/api/v1/statements/<slug>/verification/  (save as JSON)
  2. the checkpoint it was proven against, from a copy you trust: one you saved earlier from
     https://<site>/ledger/checkpoint , or one from the statements feed that others kept;
  3. the verifier key, published on https://<site>/ledger/checkpoints/ and in docs/security.md (keep it).

Then:

    python3 verify_statement.py verification.json --checkpoint checkpoint.txt --key 'origin+1234abcd+AbC…'

For each signature (and the publication) it checks that the ledger event really says what the page claims (the
member, "signed", the hash of the text), hashes the event into its RFC 6962 leaf, follows the inclusion proof up to
a root, and compares that root with the checkpoint's, whose Ed25519 signature (C2SP signed note) it verifies. Exit
status 0 when everything holds, 1 otherwise. Without --checkpoint or --key it falls back to the copies inside the
JSON and says so: that only shows the platform is consistent with itself.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def checkpoint_of(note: str, verifier_key: str) -> tuple[str, int, bytes]:
    """(origin, size, root) of a C2SP checkpoint whose signature by `verifier_key` verifies; ValueError otherwise."""
    name, key_hash, key_data = verifier_key.strip().split("+", 2)
    key = base64.b64decode(key_data)
    if key[:1] != b"\x01" or len(key) != 33:
        raise ValueError("the verifier key is not an Ed25519 signed-note key")
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    for line in signatures.splitlines():
        dash, signer, signature = line.split(" ", 2)
        blob = base64.b64decode(signature)
        if dash == "\u2014" and signer == name and blob[:4].hex() == key_hash:
            try:
                Ed25519PublicKey.from_public_bytes(key[1:]).verify(blob[4:], text.encode())
            except InvalidSignature:
                raise ValueError("the checkpoint's signature does not verify") from None
            origin, size, root = text.splitlines()[:3]
            return origin, int(size), base64.b64decode(root)
    raise ValueError("the checkpoint is not signed by this key")


def climb(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or None if the proof does not fit the tree."""

    def parent(left: bytes, right: bytes) -> bytes:
        return hashlib.sha256(b"\x01" + left + right).digest()

    if index >= size:
        return None
    position, last, node = index, size - 1, leaf
    for sibling in proof:
        if last == 0:
            return None
        if position % 2 == 1 or position == last:
            node = parent(sibling, node)
            while position % 2 == 0 and position != 0:
                position, last = position // 2, last // 2
        else:
            node = parent(node, sibling)
        position, last = position // 2, last // 2
    return node if last == 0 else None


def check_event(name: str, inclusion: dict, expect: dict, size: int, root: bytes) -> list[str]:
    entry = json.loads(inclusion["entry"])
    problems = [
        f"{name}: the ledger event says {key} = {entry['data'].get(key)!r}, not {value!r}"
        for key, value in expect.items()
        if entry["data"].get(key) != value
    ]
    if entry["seq"] != inclusion["ledger_event"] or inclusion["leaf_index"] != entry["seq"] - 1:
        problems.append(f"{name}: the proof is for another event")
    if inclusion["tree_size"] != size:
        problems.append(f"{name}: proven in a tree of {inclusion['tree_size']} events, the checkpoint has {size}")
    leaf = hashlib.sha256(b"\x00" + inclusion["entry"].encode()).digest()
    proof = [base64.b64decode(node) for node in inclusion["proof"]]
    if climb(inclusion["leaf_index"], size, leaf, proof) != root:
        problems.append(f"{name}: ledger event #{entry['seq']} is not in the checkpoint's tree")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("verification", type=Path, help="the statement's verification JSON (from the API)")
    parser.add_argument("--checkpoint", type=Path, help="a checkpoint (signed note) you trust")
    parser.add_argument("--key", help="the ledger's verifier key, as published")
    args = parser.parse_args(argv)
    found = json.loads(args.verification.read_text(encoding="utf-8"))
    if not found.get("checkpoint"):
        print("No checkpoint covers this statement yet: try again after the next one (at least daily).")
        return 1
    if args.checkpoint is None or args.key is None:
        print("Warning: using the checkpoint or key inside the JSON: this only shows the platform agrees with itself.")
    note = args.checkpoint.read_text(encoding="utf-8") if args.checkpoint else found["checkpoint"]["note"]
    try:
        origin, size, root = checkpoint_of(note, args.key or found["checkpoint"]["verifier_key"])
    except ValueError as error:
        print(f"Checkpoint refused: {error}.")
        return 1
    problems: list[str] = []
    proven = 0
    publication = found.get("publication")
    if publication is None:
        problems.append("the publication is not in the checkpoint")
    else:
        problems += check_event("publication", publication, {"hash": found["content_hash"]}, size, root)
    for signatory in found["signatories"]:
        if signatory["response"] != "signed":
            continue
        if signatory["inclusion"] is None:
            print(f"{signatory['member']}: recorded after this checkpoint; not checked.")
            continue
        expect = {"kind": "signed", "hash": found["content_hash"]}
        name = signatory["member"]
        event_problems = check_event(name, signatory["inclusion"], expect, size, root)
        if json.loads(signatory["inclusion"]["entry"])["on_behalf_of"] != name:
            event_problems.append(f"{name}: the ledger event is on behalf of someone else")
        problems += event_problems
        proven += not event_problems
    for problem in problems:
        print(f"NOT VERIFIED: {problem}")
    if problems:
        return 1
    print(f"Verified: {proven} signature(s) and the publication of {found['title']!r} are in the checkpoint of")
    print(f"{size} events signed by {origin}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
