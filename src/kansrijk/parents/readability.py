"""How easy a Dutch parent page is to read: the B1 check.

Three measures, documented in ``docs/parents.md``:

- **Flesch-Douma** reading ease (Douma 1960, the Dutch adaptation of Flesch):
  ``206.835 - 0.93 * words per sentence - 77 * syllables per word``, computed by ``textstat``
  with its Dutch settings (syllables by Pyphen's Dutch hyphenation dictionary). 60-70 is
  "fairly easy"; B1 asks at least ``MIN_FLESCH_DOUMA``.
- **Words per sentence**: on average at most ``MAX_WORDS_PER_SENTENCE``, none longer than
  ``MAX_SENTENCE_WORDS``.
- **Uncommon words**: the share of words whose Zipf frequency in Dutch (``wordfreq``; 3 is
  once per million words) is below ``UNCOMMON_ZIPF``, at most ``MAX_UNCOMMON_SHARE``. Names
  of organisations and the programme's own words (``KNOWN_TERMS``) are explained on the page
  where they appear and do not count as uncommon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kansrijk.core.freshness import memo

MIN_FLESCH_DOUMA = 60.0
MAX_WORDS_PER_SENTENCE = 13.0
MAX_SENTENCE_WORDS = 22
UNCOMMON_ZIPF = 3.0
MAX_UNCOMMON_SHARE = 0.10

#: Words a page names and explains (the institutions a parent meets): they are not counted as
#: uncommon. Lower case.
KNOWN_TERMS = frozenset(
    {
        "jgz",
        "ggd",
        "kraamzorg",
        "kraamweek",
        "kraamverzorgende",
        "consultatiebureau",
        "verloskundige",
        "huisbezoek",
        "jeugdverpleegkundige",
        "foliumzuur",
        "zwangerwijzer",
        "kinderbijslag",
        "zorgtoeslag",
        "huurtoeslag",
        "wijkteam",
        "schuldhulp",
        "mamacafé",
        "mamacafe",
    }
)

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")


@dataclass(frozen=True)
class Readability:
    flesch_douma: float
    words: int
    sentences: int
    words_per_sentence: float
    longest_sentence: int
    uncommon_share: float
    uncommon_words: tuple[str, ...]

    @property
    def problems(self) -> list[str]:
        """What keeps the text from B1 (empty: it passes)."""
        found = []
        if self.flesch_douma < MIN_FLESCH_DOUMA:
            found.append(f"Flesch-Douma {self.flesch_douma:.0f} < {MIN_FLESCH_DOUMA:.0f}")
        if self.words_per_sentence > MAX_WORDS_PER_SENTENCE:
            found.append(
                f"{self.words_per_sentence:.1f} words per sentence > {MAX_WORDS_PER_SENTENCE:.0f}"
            )
        if self.longest_sentence > MAX_SENTENCE_WORDS:
            found.append(f"a sentence of {self.longest_sentence} words > {MAX_SENTENCE_WORDS}")
        if self.uncommon_share > MAX_UNCOMMON_SHARE:
            found.append(
                f"{self.uncommon_share:.0%} uncommon words > {MAX_UNCOMMON_SHARE:.0%}: "
                + ", ".join(self.uncommon_words)
            )
        return found

    @property
    def is_b1(self) -> bool:
        return not self.problems


@memo("parents.word-frequencies", size=4096)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "nl"))


def measure(text: str) -> Readability:
    """The readability of Dutch running ``text`` (see ``text.plain_text`` for page bodies)."""
    import textstat

    textstat.set_lang("nl")
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if _WORD.search(s)]
    lengths = [len(_WORD.findall(s)) for s in sentences]
    words = [w.lower() for w in _WORD.findall(text)]
    uncommon = sorted(
        {
            w
            for w in words
            if w not in KNOWN_TERMS
            and not any(part in KNOWN_TERMS for part in w.split("-"))
            and _zipf(w) < UNCOMMON_ZIPF
        }
    )
    uncommon_count = sum(1 for w in words if w in uncommon)
    return Readability(
        flesch_douma=float(textstat.flesch_reading_ease(text)) if words else 0.0,
        words=len(words),
        sentences=len(sentences),
        words_per_sentence=(sum(lengths) / len(lengths)) if lengths else 0.0,
        longest_sentence=max(lengths, default=0),
        uncommon_share=(uncommon_count / len(words)) if words else 0.0,
        uncommon_words=tuple(uncommon),
    )
