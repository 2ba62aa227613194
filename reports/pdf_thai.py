"""Exact text extraction for Thai in WeasyPrint PDFs (copy, search, pdftotext).

Why: WeasyPrint (pinned: 70.0, `draw_first_line` in weasyprint/draw/text.py) fills the font's
ToUnicode map glyph by glyph, from the first cluster a glyph is seen in, and a glyph keeps that
text for the whole document. HarfBuzz draws SARA AM (ำ) as two glyphs, NIKHAHIT + SARA AA, and
after a tone mark reorders them into one cluster (น้ำ is typed น ้ ำ, drawn น ํ ้ า). WeasyPrint
maps the cluster's last glyph to the whole cluster and the others to nothing: from the first
"สำ" on, every SARA AA in the document reads ำ ("สำนักพัฒนาสังคม" → "สำนักพัฒนำสังคม") and the
tone mark of "น้ำ" reads nothing ("นำ"). Same root cause as WeasyPrint issue #2841 (Arabic).
Even with a right map, pdftotext splits Thai words: a vowel and a tone mark drawn at one spot
look to it like a doubled (fake bold) letter, and a mark moved left over a tall letter (ปั, ฟ้)
like a gap, so "ที่ได้" came out "ทีไ่ ด้".

The fix, in two layers, only on what WeasyPrint draws:
1. A glyph first seen in a cluster of several glyphs is mapped to its own character, from the
   font's cmap (NIKHAHIT → ํ, SARA AA → า), never to a whole cluster or to nothing. Viewers that
   read only ToUnicode get the right letters (SARA AM decomposed as ํา, which looks the same).
2. Each letter drawn with its marks (ที่, น้ำ, ปั) — a "unit" — is wrapped in a marked-content
   sequence `/Span <</ActualText (text)>> BDC … EMC` (PDF 1.5, kept in PDF/A-2) carrying the text
   as typed; pdftotext, Acrobat copy and search read a span as that text over the span's box.
   Letters without marks are left alone, so most of the content stream is unchanged.

The hook is two lines inserted into `draw_first_line`'s glyph loop (at each glyph, and after a
run's last glyph). `install()` checks that the source still has the exact lines it hooks into
and fails loudly otherwise, so upgrading WeasyPrint cannot silently drop the fix;
tests/test_pdf_thai_text.py round-trips real Thai through pdftotext and checks the fix is still
needed (when WeasyPrint fixes this upstream, that test fails: remove this module).
"""

import inspect
import io
import unicodedata
from itertools import pairwise

import pydyf
from fontTools.ttLib import TTFont
from weasyprint.draw import text as weasyprint_text
from weasyprint.text.ffi import pango

PINNED_WEASYPRINT = "70.0"
SARA_AM, NIKHAHIT, SARA_AA = "\u0e33", "\u0e4d", "\u0e32"

# The lines of draw_first_line the hook goes after (loop head) and before (run end).
_LOOP_HEAD = "        for i, glyph_info in enumerate(glyphs_info[0:num_glyphs]):\n"
_RUN_END = "        # Close the last glyphs list, remove if empty.\n"
_HOOK_CLUSTER = "            string = _thai_glyph(stream, string, font, glyph_item, textbox, i)\n"
_HOOK_RUN_END = "        string = _thai_span_end(stream, string)\n"

_cmap_cache: dict[bytes, dict[int, str]] = {}


def _glyph_characters(font):
    """glyph id → the characters the font's cmap maps to it (parsed once per font file)."""
    key = font.file_content
    if key not in _cmap_cache:
        ttfont = TTFont(io.BytesIO(font.file_content), fontNumber=font.index, lazy=True)
        characters: dict[int, str] = {}
        for codepoint, glyph_name in sorted(ttfont.getBestCmap().items()):
            glyph_id = ttfont.getGlyphID(glyph_name)
            characters[glyph_id] = characters.get(glyph_id, "") + chr(codepoint)
        _cmap_cache[key] = characters
    return _cmap_cache[key]


def _map_cluster_glyphs(font, glyph_ids, text):
    """Give the cluster's not yet mapped glyphs their own characters in the ToUnicode map."""
    unmapped = [glyph_id for glyph_id in glyph_ids if glyph_id not in font.to_unicode]
    if not unmapped:
        return
    if len(glyph_ids) == 1:
        font.to_unicode[glyph_ids[0]] = text
        return
    by_glyph = _glyph_characters(font)
    # What the glyphs stand for, SARA AM as HarfBuzz draws it: NIKHAHIT + SARA AA.
    left = list(text.replace(SARA_AM, NIKHAHIT + SARA_AA))
    for glyph_id in glyph_ids:
        if glyph_id in font.to_unicode and font.to_unicode[glyph_id] in left:
            left.remove(font.to_unicode[glyph_id])
    variants = []
    for glyph_id in unmapped:
        candidates = by_glyph.get(glyph_id, "")
        char = next((c for c in candidates if c in left), candidates[:1])
        if char:
            font.to_unicode[glyph_id] = char
            if char in left:
                left.remove(char)
        else:
            variants.append(glyph_id)  # a contextual form (GSUB) with no character of its own
    for n, glyph_id in enumerate(variants):
        font.to_unicode[glyph_id] = "".join(left) if n == 0 else ""


def _flush(stream, string):
    """Show the glyphs gathered so far and start a new glyph string."""
    string = string[:-1] if string.endswith("<") else string + ">"
    if string:
        stream.show_text(string)
    return "<"


def _thai_span_end(stream, string):
    """Close the open ActualText span, if any, after the glyphs gathered so far."""
    if getattr(stream, "_actual_text_end", None) is not None:
        string = _flush(stream, string)
        stream.end_marked_content()
        stream._actual_text_end = None
    return string


def _unit_end(glyphs, utf8, offset, i):
    """The glyph index after the unit starting at glyph i: its pango cluster, the clusters of
    marks that follow (a letter and its vowel and tone marks), and, while the unit's last glyph
    ends left of the pen (a mark moved left over a tall letter: ปั ฟ้), the next cluster too.
    pdftotext reads a unit as one box: two marks at one spot or a gap at the end of the box
    would otherwise look like a word break to it."""
    clusters, n = glyphs.log_clusters, glyphs.num_glyphs
    end = i + 1
    while end < n:
        if clusters[end] != clusters[end - 1]:
            at = offset + clusters[end]
            lead = utf8[at : at + 4].decode(errors="ignore")[:1]
            last = glyphs.glyphs[end - 1].geometry
            ends_left = last.width == 0 and last.x_offset < 0
            if not ends_left and unicodedata.category(lead or " ")[0] != "M":
                break
        end += 1
    return end


def _thai_glyph(stream, string, font, glyph_item, textbox, i):
    """Before each glyph is drawn: close the open ActualText span where its unit ends; at a
    unit's first glyph, map its glyphs in ToUnicode and open a span when the unit has several
    glyphs or its glyphs do not spell its text. Returns WeasyPrint's pending glyph string."""
    glyphs = glyph_item.glyphs
    clusters = glyphs.log_clusters
    end = getattr(stream, "_actual_text_end", None)
    if end is not None and i < end:
        return string
    string = _thai_span_end(stream, string)
    if end is None and i and clusters[i] == clusters[i - 1]:
        return string  # inside a cluster left to WeasyPrint at its first glyph (see below)
    if glyph_item.item.analysis.level % 2 or font.bitmap:
        return string  # right-to-left runs and bitmap fonts: WeasyPrint's own mapping
    utf8, offset = textbox.pango_layout.text.encode(), glyph_item.item.offset
    end = _unit_end(glyphs, utf8, offset, i)
    glyph_ids = [glyphs.glyphs[k].glyph for k in range(i, end)]
    if any(g == pango.PANGO_GLYPH_EMPTY or g & pango.PANGO_GLYPH_UNKNOWN_FLAG for g in glyph_ids):
        return string  # invisible or missing glyphs: WeasyPrint's own handling
    bounds = [k for k in range(i, end) if k == i or clusters[k] != clusters[k - 1]] + [end]
    for start, stop in pairwise(bounds):
        byte_stop = clusters[stop] if stop < glyphs.num_glyphs else glyph_item.item.length
        cluster_text = utf8[offset + clusters[start] : offset + byte_stop].decode()
        _map_cluster_glyphs(font, glyph_ids[start - i : stop - i], cluster_text)
    byte_stop = clusters[end] if end < glyphs.num_glyphs else glyph_item.item.length
    text = utf8[offset + clusters[i] : offset + byte_stop].decode()
    if len(glyph_ids) > 1 or font.to_unicode[glyph_ids[0]] != text:
        string = _flush(stream, string)
        stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(text)}))
        stream._actual_text_end = end
    return string


def install():
    """Replace weasyprint.draw.text.draw_first_line by the hooked copy (idempotent)."""
    if getattr(weasyprint_text.draw_first_line, "thai_actual_text", False):
        return
    source = inspect.getsource(weasyprint_text.draw_first_line)
    for anchor in (_LOOP_HEAD, _RUN_END):
        if source.count(anchor) != 1:
            raise RuntimeError(
                f"WeasyPrint's draw_first_line changed (hooked for {PINNED_WEASYPRINT}): "
                f"cannot find {anchor.strip()!r}; re-check reports/pdf_thai.py"
            )
    source = source.replace(_LOOP_HEAD, _LOOP_HEAD + _HOOK_CLUSTER).replace(_RUN_END, _HOOK_RUN_END + _RUN_END)
    namespace = {
        **vars(weasyprint_text),
        "_thai_glyph": _thai_glyph,
        "_thai_span_end": _thai_span_end,
    }
    exec(compile(source, weasyprint_text.__file__, "exec"), namespace)  # noqa: S102
    draw_first_line = namespace["draw_first_line"]
    draw_first_line.original = weasyprint_text.draw_first_line
    draw_first_line.thai_actual_text = True
    weasyprint_text.draw_first_line = draw_first_line
