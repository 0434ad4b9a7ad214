"""RFC 6962 Merkle trees over the audit ledger's events (hashing as in RFC 6962 §2.1, proofs as in RFC 9162 §2.1).

A leaf is SHA-256(0x00 || entry) and an inner node SHA-256(0x01 || left || right), where an event's entry is the
canonical JSON its chain hash covers. Only perfect subtrees are stored, each named (level, index) for the leaves
[index·2^level, (index+1)·2^level); the root of any tree size, and every inclusion or consistency proof, is put
together from O(log n) of them. These functions only compute: which nodes to read, and how to combine them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

Node = tuple[int, int]  # (level, index)


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (RFC 6962's k)."""
    return 1 << ((size - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[Node]:
    """The perfect subtrees that make up the leaves [start, end), largest first, for the ranges RFC 6962's
    recursion produces (start is a multiple of a power of two at least as large as the range)."""
    nodes = []
    while start < end:
        width = 1 << ((end - start).bit_length() - 1)
        nodes.append((width.bit_length() - 1, start // width))
        start += width
    return nodes


def range_root(start: int, end: int, hashes: Mapping[Node, bytes]) -> bytes:
    """MTH(D[start:end]) from its perfect subtrees: RFC 6962 combines them from the right."""
    nodes = range_nodes(start, end)
    if not nodes:
        return EMPTY_ROOT
    root = hashes[nodes[-1]]
    for node in reversed(nodes[:-1]):
        root = node_hash(hashes[node], root)
    return root


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose roots form PATH(index, D[size]), from the leaf up."""
    path = []
    start, end = 0, size
    while end - start > 1:
        split = start + _split(end - start)
        if index < split:
            path.append((split, end))
            end = split
        else:
            path.append((start, split))
            start = split
    return path[::-1]


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose roots form PROOF(old_size, D[new_size]) (RFC 6962 §2.1.2), in order."""
    if old_size == 0 or old_size >= new_size:
        return []
    proof = []
    start, end, whole = 0, new_size, True
    while True:
        if old_size == end:
            if not whole:
                proof.append((start, end))
            break
        split = start + _split(end - start)
        if old_size <= split:
            proof.append((split, end))
            end = split
        else:
            proof.append((start, split))
            start, whole = split, False
    return proof[::-1]


def nodes_for(ranges: Iterable[tuple[int, int]]) -> set[Node]:
    return {node for start, end in ranges for node in range_nodes(start, end)}


def proof_hashes(ranges: Iterable[tuple[int, int]], hashes: Mapping[Node, bytes]) -> list[bytes]:
    return [range_root(start, end, hashes) for start, end in ranges]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes | None:
    """The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or None when the proof has the wrong shape."""
    if index >= size:
        return None
    first, last, root = index, size - 1, leaf
    for sibling in proof:
        if last == 0:
            return None
        if first & 1 or first == last:
            root = node_hash(sibling, root)
            while not first & 1 and first != 0:
                first, last = first >> 1, last >> 1
        else:
            root = node_hash(root, sibling)
        first, last = first >> 1, last >> 1
    return root if last == 0 else None


def consistent(old_size: int, old_root: bytes, new_size: int, new_root: bytes, proof: list[bytes]) -> bool:
    """Whether `proof` shows the tree of `new_size` extends the one of `old_size` (RFC 9162 §2.1.4.2)."""
    if old_size == 0:
        return not proof
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size > new_size or not proof:
        return False
    if old_size & (old_size - 1) == 0:
        proof = [old_root, *proof]
    first, last = old_size - 1, new_size - 1
    while first & 1:
        first, last = first >> 1, last >> 1
    old, new = proof[0], proof[0]
    for node in proof[1:]:
        if last == 0:
            return False
        if first & 1 or first == last:
            old, new = node_hash(node, old), node_hash(node, new)
            while not first & 1 and first != 0:
                first, last = first >> 1, last >> 1
        else:
            new = node_hash(new, node)
        first, last = first >> 1, last >> 1
    return old == old_root and new == new_root and last == 0


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH of a list of leaf hashes by RFC 6962's own recursion (for checks and tests: O(n))."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    split = _split(len(leaves))
    return node_hash(reference_root(leaves[:split]), reference_root(leaves[split:]))


def roots_at(entries: Iterable[bytes], sizes: Iterable[int]) -> dict[int, bytes]:
    """The roots of the trees of the first `size` entries, for each of `sizes`, in one pass keeping only the
    tree's right edge (O(log n) memory): how `verify_ledger` recomputes every checkpoint from the events."""
    wanted = set(sizes)
    roots = {0: EMPTY_ROOT} if 0 in wanted else {}
    edge: list[tuple[int, bytes]] = []
    for count, entry in enumerate(entries, start=1):
        level, value = 0, leaf_hash(entry)
        while edge and edge[-1][0] == level:
            value, level = node_hash(edge.pop()[1], value), level + 1
        edge.append((level, value))
        if count in wanted:
            root = edge[-1][1]
            for _, left in reversed(edge[:-1]):
                root = node_hash(left, root)
            roots[count] = root
    return roots
