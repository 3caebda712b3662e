"""Item-writing checks: wording that gives a verdict away, or that tests reading, not knowledge.

The checks follow the item-writing literature for true/false items (Haladyna, Downing and
Rodriguez 2002, "A review of multiple-choice item-writing guidelines"; Frisbie and Becker 1991
on true-false tests): avoid specific determiners and absolutes, which test-wise learners read as
"false", and hedges, read as "true"; one idea per item; word items positively and never use a
double negative; keep true and false items alike in length; balance the key; do not ask the
same thing twice. A last check measures the sum of these cues: how well a classifier that knows
nothing but the statements' words guesses the verdicts (leave one out).

Pure: takes questions, returns findings. The loader turns them into warnings at
`path:line:col`; the author preview highlights the words they name. A statement may turn a
statement-level check off with a reason (`allow:` in the YAML).
"""

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from .schema import Question


def _listed(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Specific determiners and absolutes: words that leave no exception (Haladyna et al.)
ABSOLUTES = _listed(
    "always never completely entirely totally permanently forever only all every none any "
    "guaranteed impossible certainly definitely absolutely whatsoever fully"
)
ABSOLUTE_PHRASES = ("no risk", "without any", "no difference", "for good", "at all")
# Hedges: qualifiers that make almost anything true
HEDGES = _listed(
    "may might can could sometimes usually often generally typically some most many "
    "possibly probably likely tend tends partly somewhat"
)
NEGATIONS = _listed("not no never none nor neither nothing nobody nowhere without cannot")
# Clause joiners; a statement with two clauses that each make a claim holds two claims
JOINERS = _listed("and or but while whereas yet")
# Words that begin a clause inside a clause: a verb after them belongs to that inner clause
SUBORDINATORS = _listed("that which who whom whose where when if because unless until")
# Verbs that make a claim in these statements; inflections are derived (shrink, shrinks ...)
_VERB_STEMS = _listed(
    "be is are was were am being been has have had do does did can could will would should "
    "must may might make cause shrink open close clean clear build help work reduce remove "
    "prevent tighten boost stretch clog look become keep get decide damage irritate treat "
    "improve increase decrease need dry protect show enlarge change fade heal hurt burn "
    "produce unclog dissolve penetrate exfoliate renew thicken thin age lead leave give take "
    "matter count mean say claim promise agree disagree cost last stay grow kill stop slow "
    "soak absorb speed fight block sit come go let feel seem appear contain hold trap pull "
    "tear wash rinse scrub steam use apply rub pop squeeze sweat smooth firm tone even"
)
CLAIM_VERBS = frozenset(
    w for stem in _VERB_STEMS for w in (stem, stem + "s", stem + "es", stem + "ed", stem + "ing")
)
STOPWORDS = _listed(
    "a an the of to in on for with by as at from into over under your you it its their them "
    "they this that these those is are was were be been being and or but so than then there "
    "what which who whom how when why if"
)

LEAN_SHARE = 0.75  # a cue used this much more on one side leans
LEAN_MINIMUM = 2  # ... when it is used at least this often
LENGTH_SKEW = 0.2  # myths' and facts' mean lengths may differ by this share
NEAR_DUPLICATE = 0.5  # content-word Jaccard similarity from which two statements ask the same
NEAR_DUPLICATE_WORDS = 4  # ... between statements of at least this many content words
GUESSABLE = 0.65  # leave-one-out accuracy from which the wording gives verdicts away
GUESS_MINIMUM = 8  # statements a scope needs before its guessability means anything

_PHRASE = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in ABSOLUTE_PHRASES) + r")\b", re.IGNORECASE
)
_WORD = re.compile(r"[A-Za-z]+(?:[-'’][A-Za-z]+)*")


@dataclass(frozen=True)
class Mark:
    """A span of a statement a check points at (for highlighting)."""

    start: int
    end: int
    check: str
    note: str


@dataclass(frozen=True)
class Finding:
    """One check's result. `question` is None for a bank's or the whole set's finding."""

    check: str
    message: str
    bank: str | None = None
    question: str | None = None
    marks: tuple[Mark, ...] = ()


@dataclass
class Review:
    findings: list[Finding] = field(default_factory=list)

    def for_question(self, question_id: str) -> list[Finding]:
        return [f for f in self.findings if f.question == question_id]

    def marks(self, question_id: str) -> list[Mark]:
        found = {m for f in self.for_question(question_id) for m in f.marks}
        return sorted(found, key=lambda m: (m.start, m.end))


@dataclass(frozen=True)
class Item:
    bank: str
    question: Question

    @property
    def verdict(self) -> str:
        return self.question.answer

    @cached_property
    def allowed(self) -> frozenset[str]:
        return frozenset(a.check for a in self.question.allow)


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[tuple[str, int, int], ...]:
    """(lower-case word, start, end) for each word; n't is its own word, "not"."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group().lower().replace("’", "'")
        if word.endswith("n't"):
            stem = word[:-3] or word
            found.append((stem, match.start(), match.end() - 3))
            found.append(("not", match.end() - 3, match.end()))
        else:
            found.append((word, match.start(), match.end()))
    return tuple(found)


@lru_cache(maxsize=65536)
def cues(text: str) -> tuple[tuple[str, str, int, int], ...]:
    """(kind, cue, start, end): absolutes and hedges, phrases included."""
    found = [("absolute", m.group().lower(), m.start(), m.end()) for m in _PHRASE.finditer(text)]
    taken = [(s, e) for *_, s, e in found]
    for word, start, end in words(text):
        kind = "absolute" if word in ABSOLUTES else "hedge" if word in HEDGES else None
        if kind and not any(s <= start < e for s, e in taken):
            found.append((kind, word, start, end))
    return tuple(sorted(found, key=lambda c: c[2]))


@lru_cache(maxsize=65536)
def _bag(text: str) -> Counter:
    """The statement's words with their counts (not to be changed: it is shared)."""
    return Counter(w for w, *_ in words(text))


def claims(text: str) -> list[str]:
    """The statement's clauses that make a claim of their own (each has a claim verb)."""
    breaks = [m.start() for m in re.finditer("[,;]", text)]  # a comma or semicolon ends one
    clauses, current, next_break = [], [], 0
    for word, start, _ in words(text):
        passed = next_break < len(breaks) and breaks[next_break] < start
        while next_break < len(breaks) and breaks[next_break] < start:
            next_break += 1
        if word in JOINERS or passed:
            clauses.append(current)
            current = []
        if word not in JOINERS:
            current.append(word)
    clauses.append(current)
    return [" ".join(c) for c in clauses if any(w in CLAIM_VERBS for w in _main_part(c))]


def _main_part(clause: list[str]) -> list[str]:
    """The clause up to its first subordinator ("… sunscreen that a wash leaves behind")."""
    for index, word in enumerate(clause):
        if word in SUBORDINATORS:
            return clause[:index]
    return clause


def _content_words(text: str) -> frozenset[str]:
    return frozenset(
        w.removesuffix("s") for w, *_ in words(text) if w not in STOPWORDS and len(w) > 2
    )


def review(banks: Sequence[tuple[str, Sequence[Question]]], guessable: float = GUESSABLE) -> Review:
    """Every check over these banks (bank id, questions): per statement, per bank, overall."""
    words.cache_clear()  # each statement is read once per review (and never from a stale one)
    cues.cache_clear()
    _bag.cache_clear()
    items = [Item(bank, q) for bank, questions in banks for q in questions]
    result = Review()
    for item in items:
        result.findings.extend(_statement_findings(item))
    by_bank = defaultdict(list)
    for item in items:
        by_bank[item.bank].append(item)
    flagged: set[tuple[str, str]] = set()
    for bank, members in by_bank.items():
        result.findings.extend(_lean(members, f"bank {bank}", flagged))
        result.findings.extend(_length_skew(bank, members))
        result.findings.extend(_guessability(members, guessable, bank))
    result.findings.extend(_lean(items, "all banks", flagged))
    result.findings.extend(_near_duplicates(items))
    result.findings.extend(_guessability(items, guessable, None))
    return result


def _statement_findings(item: Item) -> list[Finding]:
    text, found = item.question.statement, []
    if "negative" not in item.allowed:
        negatives = [(s, e) for w, s, e in words(text) if w in NEGATIONS]
        if negatives:
            double = len(negatives) > 1
            message = (
                f"a double negative ({len(negatives)} negations): say it positively"
                if double
                else "a negative statement: say it positively, so the learner judges the claim, "
                "not the grammar"
            )
            marks = tuple(Mark(s, e, "negative", "negation") for s, e in negatives)
            found.append(Finding("negative", message, item.bank, item.question.id, marks))
    if "two-claims" not in item.allowed:
        parts = claims(text)
        if len(parts) > 1:
            joints = tuple(
                Mark(s, e, "two-claims", "joins two claims")
                for w, s, e in words(text)
                if w in JOINERS
            ) + tuple(Mark(m.start(), m.end(), "two-claims", "joins two claims")
                      for m in re.finditer(";", text))  # fmt: skip
            found.append(
                Finding(
                    "two-claims",
                    f"{len(parts)} claims in one statement ({' | '.join(parts)}): a learner may "
                    "know one and not the other; split it, one claim per statement",
                    item.bank,
                    item.question.id,
                    joints,
                )
            )
    return found


def _lean(items: list[Item], scope: str, flagged: set) -> list[Finding]:
    """Cue words used mostly with one verdict, and absolutes or hedges as a kind used mostly
    with one verdict: reported at each statement that uses one, the cue marked."""
    uses: dict[str, Counter] = defaultdict(Counter)
    kinds: dict[str, Counter] = defaultdict(Counter)
    for item in items:
        seen = cues(item.question.statement)
        for cue in {c for _, c, *_ in seen}:
            uses[cue][item.verdict] += 1
        for kind in {k for k, *_ in seen}:
            kinds[kind][item.verdict] += 1
    word_sides = {cue: side for cue, counts in uses.items() if (side := _leaning(counts))}
    kind_sides = {k: side for k, counts in kinds.items() if (side := _leaning(counts, 3))}
    found = []
    for item in items:
        if "cue-word" in item.allowed:
            continue
        for kind, cue, start, end in cues(item.question.statement):
            if (item.question.id, cue) in flagged:
                continue
            if cue in word_sides:
                side = word_sides[cue]
                why = f"“{cue}” is in {_tally(uses[cue])} across {scope}"
            elif kind in kind_sides:
                side = kind_sides[kind]
                tally = _tally(kinds[kind])
                why = f"“{cue}” is {_kind_phrase(kind)}, and {kind}s are in {tally} across {scope}"
            else:
                continue
            flagged.add((item.question.id, cue))
            found.append(
                Finding(
                    "cue-word",
                    f"{why}: test-wise learners read it as “{side}”; use it on both sides or "
                    "reword",
                    item.bank,
                    item.question.id,
                    (Mark(start, end, "cue-word", f"“{cue}” leans to {side}"),),
                )
            )
    return found


def _kind_phrase(kind: str) -> str:
    return "an absolute" if kind == "absolute" else "a hedge"


def _leaning(counts: Counter, minimum: int = LEAN_MINIMUM) -> str | None:
    total = counts["myth"] + counts["fact"]
    if total < minimum:
        return None
    side, most = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return side if most / total >= LEAN_SHARE else None


def _tally(counts: Counter) -> str:
    def n(count: int, noun: str) -> str:
        return f"{count} {noun}{'' if count == 1 else 's'}" if count else f"no {noun}"

    return f"{n(counts['myth'], 'myth')} and {n(counts['fact'], 'fact')}"


def _length_skew(bank: str, items: list[Item]) -> list[Finding]:
    lengths = defaultdict(list)
    for item in items:
        lengths[item.verdict].append(len(words(item.question.statement)))
    if len(lengths) < 2:
        return []
    myths = sum(lengths["myth"]) / len(lengths["myth"])
    facts = sum(lengths["fact"]) / len(lengths["fact"])
    if abs(myths - facts) / max(myths, facts) <= LENGTH_SKEW:
        return []
    longer = "myths" if myths > facts else "facts"
    return [
        Finding(
            "length-skew",
            f"myths average {myths:.1f} words and facts {facts:.1f}: the {longer} are longer, "
            f"a cue in itself; keep the two within {LENGTH_SKEW:.0%} of each other",
            bank,
        )
    ]


def _near_duplicates(items: list[Item]) -> list[Finding]:
    """Each statement that shares at least NEAR_DUPLICATE of its content words with another,
    reported once, with the most similar one. Identical word sets are grouped, and the rest
    compared by prefix filtering (a pair that reaches the threshold must share one of each
    set's rarest words), so thousands of statements take milliseconds, not minutes."""
    vocab = [_content_words(item.question.statement) for item in items]
    groups: dict[frozenset, list[int]] = defaultdict(list)
    for i, words_ in enumerate(vocab):
        if len(words_) >= NEAR_DUPLICATE_WORDS:
            groups[words_].append(i)
    closest: dict[int, tuple[float, int]] = {}

    def note(i: int, j: int, similarity: float) -> None:
        for one, other in ((i, j), (j, i)):
            if one not in closest or closest[one][0] < similarity:
                closest[one] = (similarity, other)

    for members in groups.values():
        for i in members[1:]:
            note(members[0], i, 1.0)
    distinct = list(groups)
    frequency = Counter(w for words_ in distinct for w in words_)
    index: dict[str, list[int]] = defaultdict(list)
    for k, words_ in enumerate(distinct):
        ordered = sorted(words_, key=lambda w: (frequency[w], w))
        prefix = ordered[: len(ordered) - math.ceil(NEAR_DUPLICATE * len(ordered)) + 1]
        candidates = {c for w in prefix for c in index[w]}
        for w in prefix:
            index[w].append(k)
        for c in sorted(candidates):
            similarity = len(words_ & distinct[c]) / len(words_ | distinct[c])
            if similarity >= NEAR_DUPLICATE:
                note(groups[words_][0], groups[distinct[c]][0], similarity)
    found = []
    for i, (similarity, j) in sorted(closest.items()):
        one, other = items[i], items[j]
        if "near-duplicate" in one.allowed:
            continue
        found.append(
            Finding(
                "near-duplicate",
                f"asks nearly what '{other.question.id}' ({other.bank}) asks "
                f"({similarity:.0%} of their words shared): merge them, or make each test "
                "a different point",
                one.bank,
                one.question.id,
            )
        )
    return found


def guess_accuracy(items: Sequence[Item]) -> tuple[float, list[str]]:
    """Leave-one-out accuracy of a naive Bayes classifier on the statements' words alone, and
    the words that most give verdicts away (used at least twice)."""
    docs = [(_bag(i.question.statement), i.verdict) for i in items]
    totals = {"myth": Counter(), "fact": Counter()}
    for counts, verdict in docs:
        totals[verdict].update(counts)
    sizes = {side: sum(totals[side].values()) for side in totals}
    documents = Counter(verdict for _, verdict in docs)
    vocabulary = len(set(totals["myth"]) | set(totals["fact"]))
    right = 0
    for counts, verdict in docs:
        scores = {}
        length = sum(counts.values())
        for side in ("myth", "fact"):
            mine = side == verdict  # leave this statement out of its own side's counts
            seen, size = totals[side], sizes[side] - (length if mine else 0)
            score = math.log((documents[side] - mine + 1) / (len(docs) + 1))
            for word, times in counts.items():
                score += times * math.log(
                    (seen[word] - (times if mine else 0) + 1) / (size + vocabulary)
                )
            scores[side] = score
        right += max(scores, key=lambda side: (scores[side], side)) == verdict
    used = set(totals["myth"]) | set(totals["fact"])
    giveaways = sorted(
        (w for w in used if totals["myth"][w] + totals["fact"][w] >= 2),
        key=lambda w: (-abs(math.log((totals["myth"][w] + 1) / (totals["fact"][w] + 1))), w),
    )
    return right / len(docs), giveaways[:5]


def _guessability(items: list[Item], limit: float, bank: str | None) -> list[Finding]:
    if len(items) < GUESS_MINIMUM or len({i.verdict for i in items}) < 2:
        return []
    accuracy, giveaways = guess_accuracy(items)
    if accuracy <= limit:
        return []
    scope = f"this bank's {len(items)}" if bank else f"all {len(items)}"
    return [
        Finding(
            "guessable",
            f"a classifier that reads only the words guesses {accuracy:.0%} of {scope} "
            f"verdicts (warned above {limit:.0%}); the words that give most away: "
            f"{', '.join(giveaways)}",
            bank,
        )
    ]
