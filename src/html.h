/* One self-contained HTML page from li2's Markdown (li2 report's
 * report.html next to report.md).
 *
 * The Markdown li2 writes is a small subset, rendered here: headings (#,
 * ##, ###), paragraphs, "- " lists (continuation lines indented), pipe
 * tables (header row, |---| rule), fenced code blocks, **bold**, *italic*,
 * `code`, images ![alt](FILE) and links [text](FILE).  Every text is
 * escaped (& < > " ').  Images are embedded as data: URIs (base64 of FILE
 * read from DIR: PNG, SVG, JPEG); links become text naming their target, so
 * the page has no external reference and opens alone in any browser.  An
 * image file that cannot be read is named in the text instead. */
#ifndef LI2_HTML_H
#define LI2_HTML_H

#include <stddef.h>
#include <stdio.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Base64 (RFC 4648, with padding) of LEN bytes to FP. */
void li2_html_base64(FILE *fp, const unsigned char *data, size_t len);

/* TEXT escaped for HTML text and attribute values. */
void li2_html_escape(FILE *fp, const char *text, size_t len);

/* The HTML page of Markdown MD (NUL-terminated) on FP; images are read
 * from DIR.  The title is the first heading's text. */
int li2_html_from_markdown(FILE *fp, const char *md, const char *dir, li2_error *err);

/* DIR/HTML_NAME (atomically) from DIR/MD_NAME. */
int li2_html_write_page(const char *dir, const char *md_name, const char *html_name,
                        li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
