"""De-identification of free text before anything is stored: identifiers become placeholders.

Presidio's analyzer finds them and its anonymizer replaces them. No NLP model is loaded (a spaCy
model would be a download): the analyzer runs a blank English spaCy pipeline (tokens only) and
these recognisers, all rules, with a UK set:

- NHS numbers: 10 digits (spaced, dashed or run together) passing the mod-11 check digit;
- prison numbers: a letter, four digits, two letters (A1234BC, a1234bc, A 1234 BC);
- UK postcodes, with or without the space, any case;
- UK phone numbers: Presidio's phone recogniser (Google's phonenumbers, region GB) plus a pattern
  for +44 / 0044 / (0)20 / 07... spellings;
- e-mail addresses; dates of birth (a full date near "born", "DOB", "birthday", or any full date
  before MAX_BIRTH_YEAR); street addresses (house number, name, street word);
- names: a title (Mr, Ms, Dr...) or "called/named/my name is" before a capitalised word, first
  names from names.txt (with a following capitalised surname), and a capitalised-pair heuristic
  (two capitalised words not starting a sentence and not in the list of place and service
  words).

Over-redaction is preferred to under-redaction: the researcher sees the result before saving.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.definitions import reference

NAMES_FILE = Path(__file__).with_name("names.txt")
PLACEHOLDERS: dict[str, str] = {
    "PERSON": "[name]",
    "PHONE_NUMBER": "[phone]",
    "UK_POSTCODE": "[postcode]",
    "EMAIL_ADDRESS": "[email]",
    "UK_NHS": "[NHS number]",
    "PRISON_NUMBER": "[prison number]",
    "DATE_OF_BIRTH": "[date of birth]",
    "STREET_ADDRESS": "[address]",
}
ENTITIES = tuple(PLACEHOLDERS)
MIN_SCORE = 0.35
MAX_BIRTH_YEAR = 2012  # a full date before this is taken for a date of birth even without context
MONTHS = ("jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
DAY = r"(?:[0-2]?\d|3[01])(?:st|nd|rd|th)?"
YEAR = r"(?:19|20)\d{2}"
FULL_DATE = (rf"(?:\b{DAY}[/\-. ](?:0?\d|1[0-2])[/\-. ](?:{YEAR}|\d{{2}})\b"
             rf"|\b{DAY}\s+(?:of\s+)?(?:{MONTHS})\.?,?\s+{YEAR}\b"
             rf"|\b(?:{MONTHS})\.?\s+{DAY},?\s+{YEAR}\b"
             rf"|\b{YEAR}-(?:0?\d|1[0-2])-(?:[0-2]?\d|3[01])\b)")
DOB_CONTEXT = re.compile(r"(born|d\.?\s?o\.?\s?b|date of birth|birthday|birth date)\W{0,3}"
                         r"(?:\w+\W+){0,3}$", re.IGNORECASE)
STREET_WORDS = ("road", "rd", "street", "st", "avenue", "ave", "lane", "ln", "close", "way",
                "drive", "dr", "court", "ct", "place", "pl", "gardens", "gdns", "crescent",
                "terrace", "grove", "hill", "square", "sq", "walk", "row", "mews", "parade",
                "rise", "park", "green", "estate", "house", "tower", "towers")
ADDRESS = (r"\b(?:(?:flat|apartment|room|unit)\s+\d+[a-z]?,?\s+)?\d{1,4}[a-z]?,?\s+"
           r"(?:[A-Za-z'’-]+\s+){1,3}(?:" + "|".join(STREET_WORDS) + r")\b\.?")
TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "nurse", "officer", "sister",
          "father", "pastor", "auntie", "uncle")
NAME_INTRO = (r"(?:called|named|name is|name's|i'm|i am|this is|ask for|asked for|mate|friend|"
              r"son|daughter|brother|sister|mum|dad|partner|boyfriend|girlfriend|wife|husband|"
              r"worker|keyworker|key worker|officer|probation officer)")
CAPITAL_WORD = r"[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?"
# Capitalised words that are not names: places, services and words that start phrases.
NOT_NAMES = frozenset(w.lower() for w in (
    "I", "I'm", "I've", "I'd", "I'll", "The", "A", "An", "And", "But", "So", "Then", "When",
    "My", "We", "They", "He", "She", "It", "There", "That", "This", "What", "If", "On", "In",
    "At", "After", "Before", "Nobody", "No", "Yes", "Everyone", "Someone", "Because", "Even",
    "HMP", "YOI", "NHS", "GP", "A&E", "Universal", "Credit", "Job", "Centre", "Jobcentre",
    "Plus", "Citizens", "Advice", "Probation", "Service", "Services", "Council", "Housing",
    "Hostel", "Prison", "Court", "Magistrates", "Crown", "Police", "Station", "Hospital",
    "London", "Greater", "North", "South", "East", "West", "Central", "Road", "Street",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Christmas", "Easter", "Ramadan", "Alcoholics",
    "Anonymous", "Narcotics", "AA", "NA", "CGL", "Turning", "Point", "Change", "Grow", "Live",
    "Through", "Gate", "Revolving", "Doors", "Expert", "Citizens", "Group", "OHID", "DWP",
    "Methadone", "Buprenorphine", "Subutex", "Naloxone", "Rehab", "Detox", "Recovery",
    "Peer", "Mentor", "Team", "Clinic", "Pharmacy", "Chemist", "Salvation", "Army", "St",
    "Mungo's", "Mungos", "Shelter", "Crisis", "Samaritans", "Mind", "Thameslink", "Tube",
    "Overground", "Underground", "English", "British", "Irish", "Polish", "Black", "White",
    "Asian", "Muslim", "Christian", "God", "Bible", "Quran", "Covid", "Lockdown",
    *(la.name for la in reference.LONDON_LAS),
    *(w for la in reference.LONDON_LAS for w in la.name.split()),
    *(w for p in reference.PRISONS for w in p.name.split()),
))


@dataclass(frozen=True)
class Found:
    """One identifier found: its kind (a placeholder's entity), where, and the placeholder."""

    entity: str
    start: int
    end: int

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.entity]


def nhs_number_valid(digits: str) -> bool:
    """The NHS number check digit: weights 10..2 on the first nine digits, 11 - (sum mod 11);
    11 means 0 and 10 means the number is invalid."""
    numbers = [int(c) for c in digits if c.isdigit()]
    if len(numbers) != 10:
        return False
    check = 11 - sum(n * w for n, w in zip(numbers[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == numbers[9]


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in NAMES_FILE.read_text().splitlines()
                     if line.strip() and not line.startswith("#"))


def _recognisers() -> list:
    """Presidio recognisers for the UK set (imported here: presidio loads spaCy's code)."""
    from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    class NhsNumberRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return nhs_number_valid(pattern_text)

    class DateOfBirthRecognizer(PatternRecognizer):
        """A full date counts as a date of birth after 'born'/'DOB'/'birthday', or when its
        year is before MAX_BIRTH_YEAR."""

        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
            found = []
            for match in re.finditer(FULL_DATE, text, re.IGNORECASE):
                years = re.findall(r"(?:19|20)\d{2}|\b\d{2}$", match.group(0))
                year = int(years[-1]) if years else None
                if year is not None and year < 100:
                    year += 1900 if year > 30 else 2000
                old = year is not None and year < MAX_BIRTH_YEAR
                if old or DOB_CONTEXT.search(text[max(0, match.start() - 40):match.start()]):
                    found.append(RecognizerResult("DATE_OF_BIRTH", match.start(), match.end(),
                                                  0.9))
            return found

    class NameRecognizer(EntityRecognizer):
        """Names by rule: titles, introductions, listed first names, capitalised pairs."""

        def load(self) -> None:
            return None

        def analyze(self, text, entities, nlp_artifacts=None):
            found: list = []
            names = first_names()

            def add(start: int, end: int, score: float) -> None:
                found.append(RecognizerResult("PERSON", start, end, score))

            titled = (rf"\b(?i:{'|'.join(TITLES)})\.?\s+"
                      rf"({CAPITAL_WORD}(?:\s+{CAPITAL_WORD})?)")
            for match in re.finditer(titled, text):
                add(match.start(1), match.end(1), 0.85)
            intro = rf"\b(?i:{NAME_INTRO})\s+({CAPITAL_WORD}(?:\s+{CAPITAL_WORD})?)"
            for match in re.finditer(intro, text):
                word = match.group(1)
                if word[0].isupper() and word.split()[0].lower() not in NOT_NAMES:
                    add(match.start(1), match.end(1), 0.7)
            for match in re.finditer(rf"\b({CAPITAL_WORD})(\s+{CAPITAL_WORD})?", text):
                first = match.group(1)
                if first.lower() in names:
                    end = match.end(2) if match.group(2) and \
                        match.group(2).strip().lower() not in NOT_NAMES else match.end(1)
                    add(match.start(1), end, 0.8)
            # Lower-case spellings of listed first names, e.g. "my mate dave".
            for match in re.finditer(r"\b[a-z]+\b", text):
                if match.group(0) in names and match.group(0) not in COMMON_WORDS:
                    add(match.start(), match.end(), 0.5)
            pair = rf"(?<![.!?]\s)(?<!^)\b({CAPITAL_WORD})\s+({CAPITAL_WORD})\b"
            for match in re.finditer(pair, text):
                if text[:match.start()].rstrip().endswith((".", "!", "?", ":", "\n")) or \
                        match.start() == 0:
                    continue
                words = (match.group(1).lower(), match.group(2).lower())
                if not any(w in NOT_NAMES for w in words):
                    add(match.start(), match.end(), 0.6)
            return found

    postcode = (r"\b(?:GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b")
    return [
        NhsNumberRecognizer(
            supported_entity="UK_NHS", name="NHS number (mod 11)",
            patterns=[Pattern("nhs", r"(?<!\d)\d{3}[\s\-.]?\d{3}[\s\-.]?\d{4}(?!\d)", 0.5)],
            context=["nhs", "number"]),
        PatternRecognizer(
            supported_entity="PRISON_NUMBER", name="prison number",
            patterns=[Pattern("prison number",
                              r"\b(?:[A-Z]\d{4}[A-Z]{2}|(?-i:[A-Z] \d{4} [A-Z]{2}))\b", 0.9)]),
        PatternRecognizer(
            supported_entity="UK_POSTCODE", name="UK postcode",
            patterns=[Pattern("postcode", postcode, 0.9)]),
        PhoneRecognizer(supported_regions=("GB",), supported_language="en"),
        PatternRecognizer(
            supported_entity="PHONE_NUMBER", name="UK phone number spellings",
            patterns=[Pattern("uk phone",
                              r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)"
                              r"(?:\d[\s\-)]{0,2}){8,9}\d(?!\d)", 0.8)]),
        PatternRecognizer(
            supported_entity="EMAIL_ADDRESS", name="e-mail address",
            patterns=[Pattern("email", r"\b[\w.+'-]+\s?(?:@|\(at\)|\[at\])\s?[\w-]+"
                                       r"(?:\s?(?:\.|\(dot\)|\[dot\])\s?[\w-]+)+\b", 0.95)]),
        DateOfBirthRecognizer(
            supported_entity="DATE_OF_BIRTH", name="date of birth",
            patterns=[Pattern("full date", FULL_DATE, 0.9)]),
        PatternRecognizer(
            supported_entity="STREET_ADDRESS", name="street address",
            patterns=[Pattern("address", ADDRESS, 0.85)]),
        NameRecognizer(supported_entities=["PERSON"], name="names by rule"),
    ]


# Listed first names that are also everyday words: only capitalised they count as names.
COMMON_WORDS = frozenset({"will", "mark", "bill", "rose", "grace", "hope", "joy", "faith",
                          "may", "june", "april", "summer", "dawn", "jack", "rob", "pat",
                          "sue", "art", "guy", "ray", "don", "dean", "frank", "sunny", "ben",
                          "amber", "ruby", "holly", "ivy", "lily", "chase", "rich", "carol",
                          "penny", "sky", "brook", "angel", "gene", "jay", "max", "mo"})


@lru_cache(maxsize=1)
def _engines() -> tuple:
    """Presidio's analyzer (a blank spaCy pipeline, no model) and anonymizer, built once."""
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_anonymizer import AnonymizerEngine

    class BlankSpacyEngine(SpacyNlpEngine):
        """spaCy's tokeniser only: nothing to download, no statistical model."""

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    nlp_engine = BlankSpacyEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    nlp_engine.load()
    registry = RecognizerRegistry(recognizers=_recognisers(), supported_languages=["en"])
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine,
                              supported_languages=["en"])
    return analyzer, AnonymizerEngine()


def find(text: str) -> list[Found]:
    """Every identifier in `text`, overlaps merged (the earliest, widest span wins)."""
    if not text or not text.strip():
        return []
    analyzer, _ = _engines()
    results = analyzer.analyze(text=text, language="en", entities=list(ENTITIES),
                               score_threshold=MIN_SCORE)
    return [Found(r.entity_type, r.start, r.end) for r in results]


def redact(text: str | None) -> str | None:
    """`text` with every identifier replaced by its placeholder ([name], [phone] ...)."""
    if text is None or not text.strip():
        return text
    from presidio_analyzer import RecognizerResult
    from presidio_anonymizer.entities import OperatorConfig

    analyzer, anonymizer = _engines()
    results = analyzer.analyze(text=text, language="en", entities=list(ENTITIES),
                               score_threshold=MIN_SCORE)
    results = [r for r in results if isinstance(r, RecognizerResult)]
    operators = {entity: OperatorConfig("replace", {"new_value": placeholder})
                 for entity, placeholder in PLACEHOLDERS.items()}
    return anonymizer.anonymize(text=text, analyzer_results=results, operators=operators).text


def placeholders_in(text: str) -> dict[str, int]:
    """How many of each placeholder `text` holds (for the researcher's summary)."""
    return {p: text.count(p) for p in PLACEHOLDERS.values() if p in text}
