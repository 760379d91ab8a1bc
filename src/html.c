/* Markdown subset to one self-contained HTML page (html.h). */
#define _POSIX_C_SOURCE 200809L
#include "html.h"

#include <stdlib.h>
#include <string.h>

#include "io.h"

void li2_html_base64(FILE *fp, const unsigned char *d, size_t len)
{
  static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i;
  for (i = 0; i + 2 < len; i += 3) {
    unsigned long v = (unsigned long)d[i] << 16 | (unsigned long)d[i + 1] << 8 | d[i + 2];
    fputc(a[v >> 18], fp);
    fputc(a[(v >> 12) & 63], fp);
    fputc(a[(v >> 6) & 63], fp);
    fputc(a[v & 63], fp);
  }
  if (len - i == 1) {
    unsigned long v = (unsigned long)d[i] << 16;
    fputc(a[v >> 18], fp);
    fputc(a[(v >> 12) & 63], fp);
    fputs("==", fp);
  } else if (len - i == 2) {
    unsigned long v = (unsigned long)d[i] << 16 | (unsigned long)d[i + 1] << 8;
    fputc(a[v >> 18], fp);
    fputc(a[(v >> 12) & 63], fp);
    fputc(a[(v >> 6) & 63], fp);
    fputc('=', fp);
  }
}

void li2_html_escape(FILE *fp, const char *s, size_t len)
{
  for (size_t i = 0; i < len && s[i]; i++) {
    switch (s[i]) {
    case '&': fputs("&amp;", fp); break;
    case '<': fputs("&lt;", fp); break;
    case '>': fputs("&gt;", fp); break;
    case '"': fputs("&quot;", fp); break;
    case '\'': fputs("&#39;", fp); break;
    default:
      /* control characters other than tab are not HTML text */
      if ((unsigned char)s[i] >= 0x20 || s[i] == '\t')
        fputc(s[i], fp);
    }
  }
}

/* The media type of an embeddable image file, or NULL. */
static const char *image_type(const char *name, size_t len)
{
  static const char *const ext[][2] = {{".png", "image/png"},
                                       {".svg", "image/svg+xml"},
                                       {".jpg", "image/jpeg"},
                                       {".jpeg", "image/jpeg"}};
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
    size_t n = strlen(ext[i][0]);
    if (len > n && !strncmp(name + len - n, ext[i][0], n))
      return ext[i][1];
  }
  return NULL;
}

/* <img> of FILE in DIR as a data: URI; the file named in text if it is not
 * a plain local image li2 can read. */
static void image(FILE *fp, const char *dir, const char *alt, size_t alen, const char *file,
                  size_t flen)
{
  const char *type = image_type(file, flen);
  char *name = strndup(file, flen), *path = NULL, *data = NULL;
  size_t len = 0;
  li2_error err = {0};
  /* only files of the report's own directory: no paths, no URLs */
  if (type && name && !strchr(name, '/') && !strchr(name, ':') && name[0] != '.' &&
      (path = li2_io_path(dir, name)) && !li2_io_read_file(path, &data, &len, &err)) {
    fprintf(fp, "<img src=\"data:%s;base64,", type);
    li2_html_base64(fp, (const unsigned char *)data, len);
    fputs("\" alt=\"", fp);
    li2_html_escape(fp, alt, alen);
    fputs("\">", fp);
  } else {
    fputs("<em>[figure ", fp);
    li2_html_escape(fp, file, flen);
    fputs(" not available]</em>", fp);
  }
  free(data);
  free(path);
  free(name);
}

/* Position of the closing DELIM (length dl) in S[from..len), or -1. */
static long find(const char *s, size_t from, size_t len, const char *delim, size_t dl)
{
  for (size_t i = from; i + dl <= len; i++)
    if (!strncmp(s + i, delim, dl))
      return (long)i;
  return -1;
}

/* Inline Markdown of S[0..len): code spans, images, links, bold, italic. */
static void inline_md(FILE *fp, const char *s, size_t len, const char *dir)
{
  size_t i = 0, plain = 0;
#define FLUSH() (li2_html_escape(fp, s + plain, i - plain))
  while (i < len) {
    long close;
    if (s[i] == '\\' && i + 1 < len && strchr("|*`[]!\\", s[i + 1])) {
      /* an escaped Markdown character: itself */
      FLUSH();
      li2_html_escape(fp, s + i + 1, 1);
      i = plain = i + 2;
    } else if (s[i] == '`' && (close = find(s, i + 1, len, "`", 1)) >= 0) {
      FLUSH();
      fputs("<code>", fp);
      li2_html_escape(fp, s + i + 1, (size_t)close - i - 1);
      fputs("</code>", fp);
      i = plain = (size_t)close + 1;
    } else if ((s[i] == '[' || (s[i] == '!' && i + 1 < len && s[i + 1] == '[')) &&
               (close = find(s, i, len, "](", 2)) >= 0 &&
               find(s, (size_t)close + 2, len, ")", 1) >= 0) {
      size_t t0 = i + (s[i] == '!' ? 2 : 1), u0 = (size_t)close + 2;
      size_t u1 = (size_t)find(s, u0, len, ")", 1);
      FLUSH();
      if (s[i] == '!')
        image(fp, dir, s + t0, (size_t)close - t0, s + u0, u1 - u0);
      else {
        /* a link to a file of the report: its text and the file's name */
        inline_md(fp, s + t0, (size_t)close - t0, dir);
        fputs(" (<code>", fp);
        li2_html_escape(fp, s + u0, u1 - u0);
        fputs("</code>)", fp);
      }
      i = plain = u1 + 1;
    } else if (s[i] == '*' && i + 1 < len && s[i + 1] == '*' &&
               (close = find(s, i + 2, len, "**", 2)) >= 0) {
      FLUSH();
      fputs("<strong>", fp);
      inline_md(fp, s + i + 2, (size_t)close - i - 2, dir);
      fputs("</strong>", fp);
      i = plain = (size_t)close + 2;
    } else if (s[i] == '*' && i + 1 < len && s[i + 1] != ' ' &&
               (close = find(s, i + 1, len, "*", 1)) > (long)i + 1) {
      FLUSH();
      fputs("<em>", fp);
      inline_md(fp, s + i + 1, (size_t)close - i - 1, dir);
      fputs("</em>", fp);
      i = plain = (size_t)close + 1;
    } else
      i++;
  }
  FLUSH();
#undef FLUSH
}

/* Table cells of a "| a | b |" line (pipes escaped as \| stay in their
 * cell), each rendered inline in TAG. */
static void table_row(FILE *fp, const char *s, size_t len, const char *tag, const char *dir)
{
  size_t i = 0;
  while (i < len && s[i] == ' ')
    i++;
  if (i < len && s[i] == '|')
    i++;
  fputs("<tr>", fp);
  for (;;) {
    size_t j = i, a, b;
    while (j < len && !(s[j] == '|' && (j == 0 || s[j - 1] != '\\')))
      j++;
    if (j >= len) {
      /* after the last pipe: a cell only when not blank */
      size_t k = i;
      while (k < len && s[k] == ' ')
        k++;
      if (k == len)
        break;
    }
    a = i;
    b = j;
    while (a < b && s[a] == ' ')
      a++;
    while (b > a && s[b - 1] == ' ')
      b--;
    fprintf(fp, "<%s>", tag);
    inline_md(fp, s + a, b - a, dir);
    fprintf(fp, "</%s>", tag);
    if (j >= len)
      break;
    i = j + 1;
  }
  fputs("</tr>\n", fp);
}

static int is_rule(const char *s, size_t len)
{
  int dash = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '-')
      dash = 1;
    else if (s[i] != '|' && s[i] != ':' && s[i] != ' ')
      return 0;
  }
  return dash;
}

static const char style[] =
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.45;"
    "color:#222}\n"
    "table{border-collapse:collapse;margin:1em 0}\n"
    "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left}\n"
    "th{background:#eee}\n"
    "img{max-width:100%;height:auto;display:block;margin:1em 0}\n"
    "code,pre{font-family:monospace;background:#f4f4f4}\n"
    "pre{padding:.6em;overflow-x:auto}\n";

enum { NONE, PARA, LIST, TABLE };

static void close_block(FILE *fp, int *block)
{
  static const char *const end[] = {"", "</p>\n", "</li>\n</ul>\n", "</tbody>\n</table>\n"};
  fputs(end[*block], fp);
  *block = NONE;
}

int li2_html_from_markdown(FILE *fp, const char *md, const char *dir, li2_error *err)
{
  const char *p = md, *title = "li2 report";
  size_t tlen = strlen(title);
  int block = NONE, in_code = 0;
  /* the title: the first heading */
  for (const char *q = md; *q;) {
    size_t n = strcspn(q, "\n");
    if (q[0] == '#') {
      size_t h = strspn(q, "#");
      title = q + h + (q[h] == ' ');
      tlen = n - (size_t)(title - q);
      break;
    }
    q += n + (q[n] == '\n');
  }
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
        fp);
  li2_html_escape(fp, title, tlen);
  fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
  while (*p) {
    size_t n = strcspn(p, "\n");
    const char *next = p + n + (p[n] == '\n');
    if (in_code) {
      if (!strncmp(p, "```", 3)) {
        fputs("</code></pre>\n", fp);
        in_code = 0;
      } else {
        li2_html_escape(fp, p, n);
        fputc('\n', fp);
      }
    } else if (!strncmp(p, "```", 3)) {
      close_block(fp, &block);
      fputs("<pre><code>", fp);
      in_code = 1;
    } else if (strspn(p, " \t") == n) {
      close_block(fp, &block);
    } else if (p[0] == '#') {
      size_t h = strspn(p, "#"), s = h + (p[h] == ' ');
      if (h > 6)
        h = 6;
      close_block(fp, &block);
      fprintf(fp, "<h%zu>", h);
      inline_md(fp, p + s, n - s, dir);
      fprintf(fp, "</h%zu>\n", h);
    } else if (p[0] == '|') {
      if (block != TABLE) {
        const char *nx = next;
        size_t nn = strcspn(nx, "\n");
        close_block(fp, &block);
        fputs("<table>\n", fp);
        if (nx[0] == '|' && is_rule(nx, nn)) {
          fputs("<thead>\n", fp);
          table_row(fp, p, n, "th", dir);
          fputs("</thead>\n<tbody>\n", fp);
          next = nx + nn + (nx[nn] == '\n');
        } else {
          fputs("<tbody>\n", fp);
          table_row(fp, p, n, "td", dir);
        }
        block = TABLE;
      } else
        table_row(fp, p, n, "td", dir);
    } else if (!strncmp(p, "- ", 2)) {
      if (block == LIST)
        fputs("</li>\n", fp);
      else {
        close_block(fp, &block);
        fputs("<ul>\n", fp);
        block = LIST;
      }
      fputs("<li>", fp);
      inline_md(fp, p + 2, n - 2, dir);
    } else if (block == LIST && p[0] == ' ') {
      /* a continuation line of the item */
      size_t s = strspn(p, " ");
      fputc('\n', fp);
      inline_md(fp, p + s, n - s, dir);
    } else if (!strncmp(p, "![", 2) && block != PARA) {
      /* an image on its own: a figure */
      close_block(fp, &block);
      fputs("<figure>", fp);
      inline_md(fp, p, n, dir);
      fputs("</figure>\n", fp);
    } else {
      if (block != PARA) {
        close_block(fp, &block);
        fputs("<p>", fp);
        block = PARA;
      } else
        fputc('\n', fp);
      inline_md(fp, p, n, dir);
    }
    p = next;
  }
  if (in_code)
    fputs("</code></pre>\n", fp);
  close_block(fp, &block);
  fputs("</body>\n</html>\n", fp);
  return ferror(fp) ? li2_error_set(err, LI2_EIO, "write error") : LI2_SUCCESS;
}

int li2_html_write_page(const char *dir, const char *md_name, const char *html_name,
                        li2_error *err)
{
  char *path = li2_io_path(dir, md_name), *md = NULL;
  size_t len;
  li2_io_file f;
  int rc;
  if (!path)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  rc = li2_io_read_file(path, &md, &len, err);
  free(path);
  if (rc)
    return rc;
  if ((rc = li2_io_open_atomic_in(&f, dir, html_name, err))) {
    free(md);
    return rc;
  }
  rc = li2_html_from_markdown(f.fp, md, dir, err);
  free(md);
  if (rc) {
    li2_io_abort(&f);
    return rc;
  }
  return li2_io_commit(&f, err);
}
