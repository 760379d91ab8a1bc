/* Markdown to one self-contained HTML page (html.h): base64 against RFC
 * 4648's test vectors, escaping, and a page with every construct li2's
 * report.md uses: headings, table, list with a continuation line, fenced
 * code, bold/italic/code, a link to a file and images (one embedded as a
 * data: URI that decodes to the file's bytes, one missing). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "html.h"
#include "io.h"
#include "tap.h"

static char *render_b64(const char *in, size_t len)
{
  char *buf = NULL;
  size_t n = 0;
  FILE *fp = open_memstream(&buf, &n);
  li2_html_base64(fp, (const unsigned char *)in, len);
  fclose(fp);
  return buf;
}

static int unb64(char c)
{
  const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char *p = strchr(a, c);
  return c && p ? (int)(p - a) : -1;
}

/* Decode base64 S (up to the first non-alphabet character) into OUT. */
static size_t decode(const char *s, unsigned char *out, size_t cap)
{
  size_t n = 0;
  unsigned long v = 0;
  int bits = 0, d;
  while ((d = unb64(*s++)) >= 0) {
    v = v << 6 | (unsigned long)d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n < cap)
        out[n] = (unsigned char)(v >> bits);
      n++;
    }
  }
  return n;
}

int main(void)
{
  static const char *const vec[][2] = {{"", ""},         {"f", "Zg=="},     {"fo", "Zm8="},
                                       {"foo", "Zm9v"},  {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                       {"foobar", "Zm9vYmFy"}};
  char tmpl[] = "/tmp/li2-html.XXXXXX", *dir = mkdtemp(tmpl), *html = NULL, *path;
  size_t n = 0;
  unsigned char png[300], back[400];
  FILE *fp;
  li2_error err = {0};
  int good = 1;
  for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
    char *b = render_b64(vec[i][0], strlen(vec[i][0]));
    good &= !strcmp(b, vec[i][1]);
    free(b);
  }
  ok(good, "base64: RFC 4648 section 10 test vectors");
  fp = open_memstream(&html, &n);
  li2_html_escape(fp, "<a href=\"x\">&'", 14);
  fclose(fp);
  ok(!strcmp(html, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"), "escape: %s", html);
  free(html);
  html = NULL;

  /* a fake PNG of 300 bytes with every byte value */
  memcpy(png, "\x89PNG\r\n\x1a\n", 8);
  for (int i = 8; i < 300; i++)
    png[i] = (unsigned char)(i * 7);
  path = li2_io_path(dir, "fig.png");
  fp = fopen(path, "wb");
  fwrite(png, 1, sizeof png, fp);
  fclose(fp);
  free(path);
  {
    const char *md =
        "# Li2 report: <Z23> & co\n\nText with **bold *nested* text** and *it* and `a<b`.\n"
        "A second line, [PDF](fig.pdf), and a\\|pipe.\n\n"
        "| | |\n|---|---|\n| group | Z23 (a \\| b) |\n| x | `y` |\n\n"
        "- item one\n  continued\n- item **two**\n\n"
        "![caption \"q\"](fig.png)\n\n![gone](missing.png)\n\n![far](../etc/x.png)\n\n"
        "```sh\nli2 report out=<dir>\n```\n";
    const char *img, *want[] = {
        "<!DOCTYPE html>", "<title>Li2 report: &lt;Z23&gt; &amp; co</title>",
        "<h1>Li2 report: &lt;Z23&gt; &amp; co</h1>",
        "<p>Text with <strong>bold <em>nested</em> text</strong> and <em>it</em> and <code>a&lt;b</code>.\n"
        "A second line, PDF (<code>fig.pdf</code>), and a|pipe.</p>",
        "<thead>\n<tr><th></th><th></th></tr>\n</thead>",
        "<tr><td>group</td><td>Z23 (a | b)</td></tr>", "<tr><td>x</td><td><code>y</code></td></tr>",
        "<li>item one\ncontinued</li>", "<li>item <strong>two</strong></li>\n</ul>",
        "alt=\"caption &quot;q&quot;\"", "<em>[figure missing.png not available]</em>",
        "<em>[figure ../etc/x.png not available]</em>",
        "<pre><code>li2 report out=&lt;dir&gt;\n</code></pre>", "</body>\n</html>\n"};
    fp = open_memstream(&html, &n);
    ok(!li2_html_from_markdown(fp, md, dir, &err), "render: %s", err.msg);
    fclose(fp);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
      ok(strstr(html, want[i]) != NULL, "page has %.50s", want[i]);
    img = strstr(html, "<img src=\"data:image/png;base64,");
    ok(img && decode(img + 32, back, sizeof back) == sizeof png && !memcmp(back, png, sizeof png),
       "the image is embedded: its data: URI decodes to the file's 300 bytes");
    ok(!strstr(html, "href") && !strstr(html, "src=\"fig") && !strstr(html, "http"),
       "no external reference (no href, no src but data:)");
    printf("# %s\n", html);
    free(html);
  }
  ok(li2_html_write_page(dir, "nothing.md", "x.html", &err) == LI2_EIO, "a missing page: %s",
     err.msg);
  path = li2_io_path(dir, "fig.png");
  unlink(path);
  free(path);
  rmdir(dir);
  return tap_done();
}
