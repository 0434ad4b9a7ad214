"""RFC 6962 trees as the ledger's checkpoints use them: the published test vectors, and proofs for every shape."""

from __future__ import annotations

import pytest

from coalition.core import merkle

# The leaves and roots of certificate-transparency's RFC 6962 test vectors.
VECTOR_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
VECTOR_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def perfect_nodes(leaves: list[bytes]) -> dict[merkle.Node, bytes]:
    nodes = {(0, index): leaf for index, leaf in enumerate(leaves)}
    level = 0
    while len(leaves) >> (level + 1):
        for index in range(len(leaves) >> (level + 1)):
            nodes[level + 1, index] = merkle.node_hash(nodes[level, 2 * index], nodes[level, 2 * index + 1])
        level += 1
    return nodes


def test_roots_match_the_rfc_6962_test_vectors():
    entries = [bytes.fromhex(leaf) for leaf in VECTOR_LEAVES]
    roots = merkle.roots_at(entries, VECTOR_ROOTS)
    assert {size: root.hex() for size, root in roots.items()} == VECTOR_ROOTS
    assert merkle.range_root(0, 8, perfect_nodes([merkle.leaf_hash(e) for e in entries])).hex() == VECTOR_ROOTS[8]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 13, 32, 33, 70])
def test_every_inclusion_and_consistency_proof_verifies_and_a_wrong_leaf_does_not(size):
    leaves = [merkle.leaf_hash(str(n).encode()) for n in range(size)]
    nodes = perfect_nodes(leaves)
    root = merkle.range_root(0, size, nodes)
    assert root == merkle.reference_root(leaves)
    for index in range(size):
        proof = merkle.proof_hashes(merkle.inclusion_ranges(index, size), nodes)
        assert merkle.root_from_inclusion(index, size, leaves[index], proof) == root
        if size > 1:
            assert merkle.root_from_inclusion(index, size, leaves[(index + 1) % size], proof) != root
    for old in range(size + 1):
        proof = merkle.proof_hashes(merkle.consistency_ranges(old, size), nodes)
        assert merkle.consistent(old, merkle.reference_root(leaves[:old]), size, root, proof)
        if 0 < old < size:
            forged = merkle.reference_root([merkle.leaf_hash(b"forged"), *leaves[1:old]])
            assert not merkle.consistent(old, forged, size, root, proof)
