/* figcheck: defects of a rendered figure, read from what gnuplot drew.
 *
 *   figcheck svg FILE.svg   a figure drawn by gnuplot's svg terminal
 *   figcheck tex FILE.tex   the LaTeX part drawn by the cairolatex terminal
 *   figcheck extent FILE.svg  the box holding the texts and axes, as
 *                           fractions of the canvas: x0 y0 x1 y1 (y down),
 *                           to compare with the ink of the PNG drawn by
 *                           cairo from the same script
 *   figcheck                self-test on small hand-written drawings (TAP)
 *
 * One line "FILE: defect" per defect found; exit status 1 when there is one.
 *
 * SVG: the canvas (width, height); every text element with its extent
 * estimated from Helvetica's advance widths (AFM, per 1000 em) at its font
 * size, anchor, rotation and the baseline shifts of enhanced text; path
 * segments, point symbols (<use>) and filled polygons.  Text inside a
 * gnuplot_plot_N group is a legend (key) entry; black paths outside those
 * groups are the axes: an L-shaped one is a panel's border (its plot
 * area), short ones crossing a border are ticks.  Defects:
 *   - text, ticks or the border outside the canvas (cut when printed);
 *   - two texts overlapping;
 *   - a legend entry (its text and the sample to its right) crossed by a
 *     data line, a point, a bar or an arrow not its own sample, or by an
 *     axis or a tick;
 *   - a text label neither inside a plot area nor an axis/tick label or a
 *     legend entry (a label placed beyond the axes);
 *   - panels stacked in one figure with different x ranges: their plot
 *     areas' left and right ends and their x ticks must coincide;
 *   - a legend sample in a colour outside li2's palette (Okabe-Ito and
 *     black, plots/style.gp): a figure drawn in gnuplot's default style;
 *   - a y axis whose tick labels are fractions (0.2, 0.4, ...) titled with
 *     a count ("active nodes", "count").
 * TeX: \put labels of the picture, their size from the \fontsize the file
 * sets (LaTeX's default 10 pt when it sets none, as the document would):
 * outside the picture, overlapping, or a Greek letter's name in math
 * without its backslash ($eta$ typesets "eta"). */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* Helvetica advance widths (1/1000 em), ASCII 32..126. */
static const short helvetica[95] = {
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
  556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
  611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
  667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
  222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584};

/* Ascent and descent of a line of text, in em (cap height and descender). */
#define ASCENT 0.72
#define DESCENT 0.21
/* Slack before two boxes count as overlapping or a box as outside (pt). */
#define TOL 0.3

typedef struct {
  double x0, y0, x1, y1;
} box;

typedef struct {
  box b;
  char s[200];
  int key;     /* a legend entry */
  int tick;    /* a tick label (drawn with its tick) */
  int rot;     /* rotated by 90 or 270 degrees */
  double cx;   /* anchor point */
  double cy;
  int group;   /* plot group (key entries) */
} text;

typedef struct {
  double x0, y0, x1, y1;
  int group;   /* plot group, -1 outside */
  int black;   /* black stroke outside plot groups: an axis, tick or arrow */
  int dashed;
  long rgb;    /* stroke colour 0xRRGGBB, -1 unknown */
} seg;

typedef struct {
  box b;
  int group;
  long rgb;    /* colour 0xRRGGBB, -1 unknown */
} mark;        /* a point symbol or a filled polygon */

typedef struct {
  double w, h;
  text *t;
  size_t nt, ct;
  seg *s;
  size_t ns, cs;
  mark *m;
  size_t nm, cm;
  box panel[16];
  size_t np;
  const char *file;
  int defects;
  int quiet;
} drawing;

static void defect(drawing *d, const char *fmt, ...)
{
  va_list ap;
  d->defects++;
  if (d->quiet)
    return;
  printf("%s: ", d->file);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
  if (n < *cap)
    return p;
  *cap = *cap ? 2 * *cap : 64;
  p = realloc(p, *cap * size);
  if (!p) {
    fputs("figcheck: out of memory\n", stderr);
    exit(2);
  }
  return p;
}

static int overlap(box a, box b, double tol)
{
  return a.x0 < b.x1 - tol && b.x0 < a.x1 - tol && a.y0 < b.y1 - tol && b.y0 < a.y1 - tol;
}

/* Segment against a box (Liang-Barsky clipping, box shrunk by TOL). */
static int seg_hits(const seg *s, box b)
{
  double t0 = 0, t1 = 1, dx = s->x1 - s->x0, dy = s->y1 - s->y0;
  double p[4] = {-dx, dx, -dy, dy};
  double q[4] = {s->x0 - (b.x0 + TOL), (b.x1 - TOL) - s->x0, s->y0 - (b.y0 + TOL),
                 (b.y1 - TOL) - s->y0};
  for (int i = 0; i < 4; i++) {
    if (p[i] == 0) {
      if (q[i] < 0)
        return 0;
    } else {
      double r = q[i] / p[i];
      if (p[i] < 0)
        t0 = fmax(t0, r);
      else
        t1 = fmin(t1, r);
    }
  }
  return t0 <= t1;
}

static const char *text_of(const text *t)
{
  return t->s[0] ? t->s : "(symbol)";
}

/* Width of UTF-8 text S (N bytes) in em. */
static double em_width(const char *s, size_t n)
{
  double w = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 32 && c < 127)
      w += helvetica[c - 32] / 1000.0;
    else if (c >= 0xc0)
      w += 0.556;  /* one non-ASCII character (Greek letters) */
  }
  return w;
}

/* A colour as gnuplot's SVG writes it: rgb(R, G, B), #RRGGBB or black. */
static long parse_rgb(const char *s)
{
  int r, g, b;
  if (sscanf(s, "rgb(%d,%d,%d)", &r, &g, &b) == 3)
    return ((long)r << 16) | ((long)g << 8) | b;
  if (s[0] == '#' && strlen(s) == 7)
    return strtol(s + 1, NULL, 16);
  if (!strcmp(s, "black"))
    return 0;
  return -1;
}

static const char *attr(const char *tag, const char *end, const char *name, char *out, size_t n)
{
  size_t ln = strlen(name);
  for (const char *p = tag; p && p < end; p++) {
    p = strstr(p, name);
    if (!p || p >= end)
      return NULL;
    if ((p == tag || isspace((unsigned char)p[-1])) && (p[ln] == '=' || p[ln] == ' ')) {
      const char *q = p + ln;
      char quote;
      while (*q == ' ' || *q == '=')
        q++;
      quote = *q;
      if (quote != '\'' && quote != '"')
        return NULL;
      {
        const char *e = strchr(q + 1, quote);
        size_t len = e ? (size_t)(e - q - 1) : 0;
        if (!e || e > end)
          return NULL;
        if (len >= n)
          len = n - 1;
        memcpy(out, q + 1, len);
        out[len] = 0;
        return out;
      }
    }
  }
  return NULL;
}

static double num_attr(const char *tag, const char *end, const char *name, double dflt)
{
  char v[64];
  return attr(tag, end, name, v, sizeof v) ? strtod(v, NULL) : dflt;
}

/* Decode the few entities gnuplot writes; copy at most N-1 bytes. */
static size_t unescape(const char *s, size_t len, char *out, size_t n)
{
  size_t k = 0;
  for (size_t i = 0; i < len && k + 1 < n;) {
    static const char *const ent[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"},
                                         {"&quot;", "\""}, {"&apos;", "'"}, {NULL, NULL}};
    int done = 0;
    for (int e = 0; ent[e][0] && !done; e++) {
      size_t el = strlen(ent[e][0]);
      if (i + el <= len && !strncmp(s + i, ent[e][0], el)) {
        out[k++] = ent[e][1][0];
        i += el;
        done = 1;
      }
    }
    if (!done)
      out[k++] = s[i++];
  }
  out[k] = 0;
  return k;
}

/* A text element: the <g transform=...> tag G..GE and its <text>...</text>. */
static void add_text(drawing *d, const char *g, const char *ge, const char *tx, const char *txe,
                     int group, int tick)
{
  char tr[128], anchor[16] = "start";
  double x = 0, y = 0, rot = 0, fs0 = num_attr(g, ge, "font-size", 10), w = 0, top = 0, bot = 0;
  double base = 0;
  text t;
  size_t sl = 0;
  memset(&t, 0, sizeof t);
  if (attr(g, ge, "transform", tr, sizeof tr)) {
    const char *r = strstr(tr, "rotate(");
    sscanf(tr, "translate(%lf,%lf)", &x, &y);
    if (r)
      rot = strtod(r + 7, NULL);
  }
  attr(g, ge, "text-anchor", anchor, sizeof anchor);
  /* tspans: each with its font size and baseline shift dy */
  for (const char *p = tx; p && p < txe;) {
    const char *ts = strstr(p, "<tspan"), *te, *ce;
    double fs = fs0;
    char piece[200];
    size_t pl;
    if (!ts || ts >= txe)
      break;
    te = strchr(ts, '>');
    if (!te)
      break;
    fs = num_attr(ts, te, "font-size", fs0);
    base += num_attr(ts, te, "dy", 0);
    ce = strstr(te, "</tspan>");
    if (!ce || ce > txe)
      break;
    pl = unescape(te + 1, (size_t)(ce - te - 1), piece, sizeof piece);
    if (pl) {
      double pw = em_width(piece, pl) * fs;
      if (w == 0 && top == 0 && bot == 0) {
        top = base - ASCENT * fs;
        bot = base + DESCENT * fs;
      } else {
        top = fmin(top, base - ASCENT * fs);
        bot = fmax(bot, base + DESCENT * fs);
      }
      w += pw;
      if (sl + pl < sizeof t.s) {
        memcpy(t.s + sl, piece, pl);
        sl += pl;
        t.s[sl] = 0;
      }
    }
    p = ce + 8;
  }
  /* leading and trailing blanks take no ink */
  {
    size_t a = 0, e = sl;
    while (a < e && t.s[a] == ' ')
      w -= helvetica[0] / 1000.0 * fs0, a++;
    while (e > a && t.s[e - 1] == ' ')
      w -= helvetica[0] / 1000.0 * fs0, e--;
    memmove(t.s, t.s + a, e - a);
    t.s[e - a] = 0;
    if (e == a)
      return;  /* empty (a tick without label) */
  }
  {
    double u0 = !strcmp(anchor, "end") ? -w : !strcmp(anchor, "middle") ? -w / 2 : 0, u1 = u0 + w;
    double c = cos(rot * 3.14159265358979323846 / 180), s = sin(rot * 3.14159265358979323846 / 180);
    double us[4] = {u0, u1, u1, u0}, vs[4] = {top, top, bot, bot};
    t.b.x0 = t.b.y0 = INFINITY;
    t.b.x1 = t.b.y1 = -INFINITY;
    for (int k = 0; k < 4; k++) {
      double X = x + us[k] * c - vs[k] * s, Y = y + us[k] * s + vs[k] * c;
      t.b.x0 = fmin(t.b.x0, X);
      t.b.x1 = fmax(t.b.x1, X);
      t.b.y0 = fmin(t.b.y0, Y);
      t.b.y1 = fmax(t.b.y1, Y);
    }
    t.rot = fabs(s) > 0.5;
  }
  t.cx = x;
  t.cy = y;
  t.key = group >= 0;
  t.group = group;
  t.tick = tick;
  d->t = grow(d->t, &d->ct, d->nt, sizeof *d->t);
  d->t[d->nt++] = t;
}

/* Segments of a <path>; whether it holds a short black one (a tick). */
static int add_path(drawing *d, const char *tag, const char *end, int group)
{
  char dd[65536], stroke[64] = "", dash[64];
  const char *p;
  double cx = 0, cy = 0;
  int have = 0, black, tick = 0;
  if (!attr(tag, end, "d", dd, sizeof dd))
    return 0;
  attr(tag, end, "stroke", stroke, sizeof stroke);
  black = group < 0 && (!strcmp(stroke, "black") || strstr(stroke, "0,   0,   0") ||
                        strstr(stroke, "0,0,0"));
  int dashed = attr(tag, end, "stroke-dasharray", dash, sizeof dash) != NULL;
  long rgb = parse_rgb(stroke);
  for (p = dd; *p;) {
    char c = *p;
    if (c == 'M' || c == 'L') {
      double x, y;
      int n;
      if (sscanf(p + 1, "%lf,%lf%n", &x, &y, &n) != 2)
        break;
      if (c == 'L' && have) {
        seg s = {cx, cy, x, y, group, black, dashed, rgb};
        d->s = grow(d->s, &d->cs, d->ns, sizeof *d->s);
        d->s[d->ns++] = s;
        tick |= black && hypot(x - cx, y - cy) < 12;
      }
      cx = x;
      cy = y;
      have = 1;
      p += 1 + n;
    } else {
      p++;
    }
  }
  return tick;
}

static void add_mark(drawing *d, box b, int group, long rgb)
{
  mark m = {b, group, rgb};
  d->m = grow(d->m, &d->cm, d->nm, sizeof *d->m);
  d->m[d->nm++] = m;
}

/* ---- SVG ---- */

static int parse_svg(drawing *d, const char *s)
{
  /* open <g> elements: whether each is a plot group and has drawn a path */
  int gplot[256], gpath[256], depth = 0, group = -1, ngroups = 0;
  const char *p = s, *pending = NULL, *pending_end = NULL;
  int pending_tick = 0;
  char id[64];
  const char *sv = strstr(s, "<svg");
  if (!sv)
    return -1;
  {
    const char *e = strchr(sv, '>');
    d->w = num_attr(sv, e, "width", 0);
    d->h = num_attr(sv, e, "height", 0);
  }
  /* skip the symbol definitions */
  {
    const char *de = strstr(s, "</defs>");
    if (de)
      p = de;
  }
  while ((p = strchr(p, '<'))) {
    const char *e = strchr(p, '>');
    if (!e)
      break;
    if (!strncmp(p, "<g", 2) && (isspace((unsigned char)p[2]) || p[2] == '>')) {
      int isplot = attr(p, e, "id", id, sizeof id) && !strncmp(id, "gnuplot_plot_", 13);
      if (depth < 256) {
        gplot[depth] = isplot;
        gpath[depth] = 0;
      }
      depth++;
      if (isplot)
        group = ++ngroups;
      if (e[-1] == '/')
        depth--;
      else if (strstr(p, "transform") && strstr(p, "font-size") && strstr(p, "translate") &&
               strstr(p, "translate") < e) {
        pending = p;
        pending_end = e;
        pending_tick = depth >= 2 && depth - 2 < 256 && gpath[depth - 2];
      }
    } else if (!strncmp(p, "</g>", 4)) {
      if (depth > 0) {
        depth--;
        if (depth < 256 && gplot[depth])
          group = -1;
      }
    } else if (!strncmp(p, "<text>", 6) || !strncmp(p, "<text ", 6)) {
      const char *te = strstr(p, "</text>");
      if (te && pending)
        add_text(d, pending, pending_end, p, te, group, pending_tick);
      pending = NULL;
      if (te)
        e = te + 6;
    } else if (!strncmp(p, "<path", 5)) {
      /* a tick label is drawn in the group of its tick mark (the labels
       * of `set label` follow the border's path, long segments only) */
      if (add_path(d, p, e, group) && depth > 0 && depth - 1 < 256)
        gpath[depth - 1] = 1;
    } else if (!strncmp(p, "<use", 4)) {
      char tr[128];
      double x, y, sc = 1;
      if (attr(p, e, "transform", tr, sizeof tr) && sscanf(tr, "translate(%lf,%lf)", &x, &y) == 2) {
        const char *q = strstr(tr, "scale(");
        if (q)
          sc = strtod(q + 6, NULL);
        char col[64] = "";
        box b = {x - 1.33 * sc, y - 1.33 * sc, x + 1.33 * sc, y + 1.33 * sc};
        attr(p, e, "color", col, sizeof col);
        add_mark(d, b, group, parse_rgb(col));
      }
    } else if (!strncmp(p, "<polygon", 8)) {
      char fill[64] = "", pts[8192];
      if (attr(p, e, "points", pts, sizeof pts)) {
        box b = {INFINITY, INFINITY, -INFINITY, -INFINITY};
        const char *q = pts;
        double x, y;
        int n;
        while (sscanf(q, "%lf,%lf%n", &x, &y, &n) == 2) {
          b.x0 = fmin(b.x0, x);
          b.x1 = fmax(b.x1, x);
          b.y0 = fmin(b.y0, y);
          b.y1 = fmax(b.y1, y);
          q += n;
        }
        attr(p, e, "fill", fill, sizeof fill);
        /* white: the opaque legend's background; outside plot groups:
         * objects behind the data (shaded stages) */
        if (group >= 0 && strcmp(fill, "#FFFFFF") && strcmp(fill, "white") && isfinite(b.x0))
          add_mark(d, b, group, parse_rgb(fill));
      }
    }
    p = e + 1;
  }
  return 0;
}

/* Plot areas: black L-shaped paths outside plot groups (border 3). */
static void find_panels(drawing *d)
{
  for (size_t i = 0; i + 1 < d->ns && d->np < 16; i++) {
    const seg *a = &d->s[i], *b = &d->s[i + 1];
    if (!a->black || !b->black || a->dashed)
      continue;
    if (fabs(a->x0 - a->x1) < 0.01 && fabs(a->y1 - b->y0) < 0.01 && fabs(a->x1 - b->x0) < 0.01 &&
        fabs(b->y0 - b->y1) < 0.01 && fabs(a->y1 - a->y0) > 0.1 * d->h &&
        fabs(b->x1 - b->x0) > 0.1 * d->w) {
      box pb = {fmin(b->x0, b->x1), fmin(a->y0, a->y1), fmax(b->x0, b->x1), fmax(a->y0, a->y1)};
      int dup = 0;
      for (size_t k = 0; k < d->np; k++)
        dup |= fabs(d->panel[k].x0 - pb.x0) < 0.01 && fabs(d->panel[k].y0 - pb.y0) < 0.01 &&
               fabs(d->panel[k].x1 - pb.x1) < 0.01 && fabs(d->panel[k].y1 - pb.y1) < 0.01;
      if (!dup)
        d->panel[d->np++] = pb;
    }
  }
}

/* x of the ticks on the bottom border of panel P, sorted; their count. */
static size_t bottom_ticks(const drawing *d, box P, double *x, size_t max)
{
  size_t n = 0;
  for (size_t i = 0; i < d->ns && n < max; i++) {
    const seg *s = &d->s[i];
    if (!s->black || fabs(s->x0 - s->x1) > 0.01 || fabs(s->y0 - s->y1) < 0.5 ||
        fabs(s->y0 - s->y1) > 12)
      continue;
    if ((fabs(s->y0 - P.y1) < 0.02 || fabs(s->y1 - P.y1) < 0.02) && s->x0 >= P.x0 - 0.02 &&
        s->x0 <= P.x1 + 0.02)
      x[n++] = s->x0;
  }
  for (size_t i = 1; i < n; i++)
    for (size_t k = i; k > 0 && x[k - 1] > x[k]; k--) {
      double t = x[k];
      x[k] = x[k - 1];
      x[k - 1] = t;
    }
  return n;
}

/* The legend entry of text T: the text and, to its right, its sample. */
static box key_box(const drawing *d, const text *t)
{
  box b = t->b;
  double fs = t->b.y1 - t->b.y0;
  /* the entry's own sample: elements of its plot group in its row */
  for (size_t i = 0; i < d->ns; i++) {
    const seg *s = &d->s[i];
    if (s->group == t->group && fabs(s->y0 - s->y1) < 0.01 && s->y0 > t->b.y0 &&
        s->y0 < t->b.y1 && fmin(s->x0, s->x1) >= t->b.x1 - TOL &&
        fmin(s->x0, s->x1) < t->b.x1 + 3 * fs)
      b.x1 = fmax(b.x1, fmax(s->x0, s->x1));
  }
  for (size_t i = 0; i < d->nm; i++) {
    const mark *m = &d->m[i];
    if (m->group == t->group && m->b.y0 >= t->b.y0 - fs && m->b.y1 <= t->b.y1 + fs &&
        m->b.x0 >= t->b.x1 - TOL && m->b.x0 < t->b.x1 + 3 * fs)
      b.x1 = fmax(b.x1, m->b.x1);
  }
  return b;
}

static int is_own_sample_seg(const seg *s, const text *t, box kb)
{
  return s->group == t->group && fmin(s->x0, s->x1) >= t->b.x1 - TOL &&
         fmax(s->x0, s->x1) <= kb.x1 + TOL && fmin(s->y0, s->y1) >= kb.y0 &&
         fmax(s->y0, s->y1) <= kb.y1;
}

static void dump(const drawing *d)
{
  for (size_t i = 0; i < d->nt; i++)
    fprintf(stderr, "text \"%s\" key %d tick %d rot %d group %d box %.1f..%.1f x %.1f..%.1f\n",
            d->t[i].s, d->t[i].key, d->t[i].tick, d->t[i].rot, d->t[i].group, d->t[i].b.x0,
            d->t[i].b.x1, d->t[i].b.y0, d->t[i].b.y1);
  for (size_t i = 0; i < d->ns; i++)
    fprintf(stderr, "seg (%.1f,%.1f)-(%.1f,%.1f) group %d black %d dashed %d\n", d->s[i].x0,
            d->s[i].y0, d->s[i].x1, d->s[i].y1, d->s[i].group, d->s[i].black, d->s[i].dashed);
  for (size_t i = 0; i < d->np; i++)
    fprintf(stderr, "panel %.1f..%.1f x %.1f..%.1f\n", d->panel[i].x0, d->panel[i].x1,
            d->panel[i].y0, d->panel[i].y1);
}

static void check_svg(drawing *d)
{
  find_panels(d);
  if (getenv("FIGCHECK_DEBUG"))
    dump(d);
  if (d->np == 0)
    defect(d, "no plot area found (no L-shaped border)");
  /* inside the canvas */
  for (size_t i = 0; i < d->nt; i++) {
    const text *t = &d->t[i];
    if (t->b.x0 < -TOL || t->b.y0 < -TOL || t->b.x1 > d->w + TOL || t->b.y1 > d->h + TOL)
      defect(d, "text \"%s\" cut by the canvas edge (extent %.1f..%.1f x %.1f..%.1f, canvas %gx%g)",
             text_of(t), t->b.x0, t->b.x1, t->b.y0, t->b.y1, d->w, d->h);
  }
  for (size_t i = 0; i < d->ns; i++) {
    const seg *s = &d->s[i];
    if (s->black && (fmin(s->x0, s->x1) < -TOL || fmin(s->y0, s->y1) < -TOL ||
                     fmax(s->x0, s->x1) > d->w + TOL || fmax(s->y0, s->y1) > d->h + TOL))
      defect(d, "axis or tick (%.1f,%.1f)-(%.1f,%.1f) outside the canvas", s->x0, s->y0, s->x1,
             s->y1);
  }
  /* texts overlapping */
  for (size_t i = 0; i < d->nt; i++)
    for (size_t k = i + 1; k < d->nt; k++)
      if (overlap(d->t[i].b, d->t[k].b, TOL))
        defect(d, "texts \"%s\" and \"%s\" overlap", text_of(&d->t[i]), text_of(&d->t[k]));
  /* legend entries against data, arrows and axes */
  for (size_t i = 0; i < d->nt; i++) {
    const text *t = &d->t[i];
    box kb;
    size_t hits = 0;
    if (!t->key)
      continue;
    kb = key_box(d, t);
    for (size_t k = 0; k < d->ns && hits < 1; k++) {
      const seg *s = &d->s[k];
      if (is_own_sample_seg(s, t, kb) || !seg_hits(s, kb))
        continue;
      hits++;
      defect(d, "legend entry \"%s\" crossed by %s (%.1f,%.1f)-(%.1f,%.1f)", text_of(t),
             s->group >= 0 ? "a data line" : s->dashed ? "a dashed line" : s->black ? "an axis or tick" : "a line",
             s->x0, s->y0, s->x1, s->y1);
    }
    for (size_t k = 0; k < d->nm && hits < 1; k++) {
      const mark *m = &d->m[k];
      if (m->group == t->group && m->b.x0 >= t->b.x1 - TOL && m->b.x1 <= kb.x1 + TOL)
        continue;  /* its own sample */
      if (!overlap(m->b, kb, TOL))
        continue;
      hits++;
      defect(d, "legend entry \"%s\" covers a point or bar at (%.1f,%.1f)", text_of(t),
             0.5 * (m->b.x0 + m->b.x1), 0.5 * (m->b.y0 + m->b.y1));
    }
  }
  /* labels beyond the axes: a text neither in a plot area nor a tick
   * label, legend entry, axis label (centred on a panel, outside it) or
   * rotated (y and colour-box labels) */
  for (size_t i = 0; i < d->nt; i++) {
    const text *t = &d->t[i];
    int placed = t->key || t->tick || t->rot;
    for (size_t k = 0; k < d->np && !placed; k++) {
      box P = d->panel[k];
      double mid = 0.5 * (P.x0 + P.x1);
      placed = (t->b.x0 >= P.x0 - TOL && t->b.x1 <= P.x1 + TOL && t->b.y0 >= P.y0 - TOL &&
                t->b.y1 <= P.y1 + TOL) ||
               (fabs(0.5 * (t->b.x0 + t->b.x1) - mid) < 1.0 && (t->b.y0 >= P.y1 || t->b.y1 <= P.y0));
    }
    if (!placed)
      defect(d, "label \"%s\" at (%.1f,%.1f) lies outside every plot area", text_of(t), t->cx,
             t->cy);
  }
  /* legend samples in li2's colours (a figure in gnuplot's default style
   * draws purple, green, blue, ...) */
  for (size_t i = 0; i < d->nt; i++) {
    static const long palette[] = {0x0072B2, 0xD55E00, 0x009E73, 0xE69F00,
                                   0xCC79A7, 0x56B4E9, 0xF0E442, 0x000000};
    const text *t = &d->t[i];
    box kb;
    long bad = -1;
    if (!t->key)
      continue;
    kb = key_box(d, t);
    for (size_t k = 0; k < d->ns + d->nm && bad < 0; k++) {
      long rgb;
      int own, known = 0;
      if (k < d->ns) {
        own = is_own_sample_seg(&d->s[k], t, kb);
        rgb = d->s[k].rgb;
      } else {
        const mark *m = &d->m[k - d->ns];
        own = m->group == t->group && m->b.x0 >= t->b.x1 - TOL && m->b.x1 <= kb.x1 + TOL &&
              m->b.y0 >= kb.y0 - 2 && m->b.y1 <= kb.y1 + 2;
        rgb = m->rgb;
      }
      if (!own || rgb < 0)
        continue;
      for (size_t c = 0; c < sizeof palette / sizeof palette[0]; c++)
        known |= rgb == palette[c];
      if (!known)
        bad = rgb;
    }
    if (bad >= 0)
      defect(d, "legend entry \"%s\" drawn in #%06lX, not a colour of li2's style", text_of(t),
             bad);
  }
  /* a count as the title of an axis of fractions */
  for (size_t k = 0; k < d->np; k++) {
    box P = d->panel[k];
    int fractions = 0;
    for (size_t i = 0; i < d->nt; i++) {
      const text *t = &d->t[i];
      double cy = 0.5 * (t->b.y0 + t->b.y1);
      char *end;
      double v;
      if (!t->tick || t->rot || t->b.x1 > P.x0 || cy < P.y0 - 1 || cy > P.y1 + 1)
        continue;
      v = strtod(t->s, &end);
      fractions |= end != t->s && !*end && strchr(t->s, '.') && v > 0 && v < 1;
    }
    for (size_t i = 0; i < d->nt && fractions; i++) {
      const text *t = &d->t[i];
      double cy = 0.5 * (t->b.y0 + t->b.y1);
      if (t->rot && !t->key && t->b.x1 <= P.x0 && cy > P.y0 && cy < P.y1 &&
          (strstr(t->s, "nodes") || strstr(t->s, "count")))
        defect(d, "y axis of fractions titled \"%s\", a count", t->s);
    }
  }
  /* stacked panels share the x axis */
  for (size_t a = 0; a < d->np; a++)
    for (size_t b = a + 1; b < d->np; b++) {
      box A = d->panel[a], B = d->panel[b];
      double xa[256], xb[256];
      size_t na, nb;
      int same;
      if (A.x1 <= B.x0 || B.x1 <= A.x0)
        continue;  /* side by side */
      if (fabs(A.x0 - B.x0) > 0.05 || fabs(A.x1 - B.x1) > 0.05) {
        defect(d, "stacked panels with different widths (%.1f..%.1f and %.1f..%.1f)", A.x0, A.x1,
               B.x0, B.x1);
        continue;
      }
      na = bottom_ticks(d, A, xa, 256);
      nb = bottom_ticks(d, B, xb, 256);
      same = na == nb && na > 0;
      for (size_t k = 0; same && k < na; k++)
        same = fabs(xa[k] - xb[k]) < 0.05;
      if (!same)
        defect(d, "stacked panels with different x ranges (x ticks %zu at %.1f.. and %zu at %.1f..)",
               na, na ? xa[0] : NAN, nb, nb ? xb[0] : NAN);
    }
}

/* ---- TeX (cairolatex) ---- */

static const char *const greek_names[] = {"alpha", "beta", "gamma", "delta", "epsilon", "eta",
                                          "theta", "lambda", "mu", "nu", "pi", "rho", "sigma",
                                          "phi", "chi", "omega", "Delta", NULL};

/* Width in em of LaTeX text S: math shifts and braces take no room, a
 * macro (\eta) is one character, ^{..} and _{..} are set at 0.7. */
static double tex_width(const char *s, size_t n)
{
  double w = 0, scale = 1;
  int depth = 0, script_depth = -1;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '$')
      continue;
    if (c == '\\') {
      size_t k = i + 1;
      while (k < n && isalpha((unsigned char)s[k]))
        k++;
      if (!strncmp(s + i, "\\strut", 6)) {
        i = k - 1;
        continue;
      }
      w += 0.556 * scale;
      i = k > i + 1 ? k - 1 : i + 1;
      continue;
    }
    if ((c == '^' || c == '_') && i + 1 < n) {
      if (s[i + 1] == '{') {
        scale = 0.7;
        script_depth = depth;
        depth++;
        i++;
      } else {
        w += 0.7 * em_width(s + i + 1, 1);
        i++;
      }
      continue;
    }
    if (c == '{') {
      depth++;
      continue;
    }
    if (c == '}') {
      depth--;
      if (depth == script_depth) {
        scale = 1;
        script_depth = -1;
      }
      continue;
    }
    w += em_width(s + i, 1) * scale;
  }
  return w;
}

static void check_greek(drawing *d, const char *s, size_t n)
{
  int math = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '$') {
      math = !math;
      continue;
    }
    if (!math || !isalpha((unsigned char)s[i]) || (i > 0 && isalpha((unsigned char)s[i - 1])))
      continue;
    size_t k = i;
    while (k < n && isalpha((unsigned char)s[k]))
      k++;
    for (int g = 0; greek_names[g]; g++)
      if (strlen(greek_names[g]) == k - i && !strncmp(s + i, greek_names[g], k - i) &&
          (i == 0 || s[i - 1] != '\\'))
        defect(d, "\"%.*s\": the Greek letter %s typeset as the word \"%s\" (backslash lost)",
               (int)n, s, greek_names[g], greek_names[g]);
    i = k - 1;
  }
}

static int parse_tex(drawing *d, const char *s)
{
  const char *p = strstr(s, "\\begin{picture}("), *fz;
  double unit = 0.05, fs = 10;  /* \unitlength in bp; LaTeX's default size */
  const char *ul = strstr(s, "\\setlength{\\unitlength}{");
  if (!p)
    return -1;
  if (ul)
    unit = strtod(ul + 24, NULL);
  if ((fz = strstr(s, "\\fontsize{")))
    fs = strtod(fz + 10, NULL);
  if (sscanf(p + 16, "%lf,%lf", &d->w, &d->h) != 2)
    return -1;
  d->w *= unit;
  d->h *= unit;
  for (p = strstr(p, "\\put("); p; p = strstr(p + 5, "\\put(")) {
    double x, y;
    const char *mb = strstr(p, "\\makebox(0,0)"), *st, *q;
    text t;
    int depth = 1, rot;
    char align = 'c';
    if (sscanf(p + 5, "%lf,%lf", &x, &y) != 2 || !mb || mb - p > 60)
      continue;
    rot = strstr(p, "\\rotatebox{") && strstr(p, "\\rotatebox{") < mb;
    if (mb[13] == '[')
      align = mb[14];
    st = strstr(mb, "\\strut{}");
    if (!st)
      continue;
    st += 8;
    for (q = st; *q && depth > 0; q++) {
      depth += *q == '{';
      depth -= *q == '}';
    }
    size_t n = (size_t)(q - 1 - st);
    memset(&t, 0, sizeof t);
    snprintf(t.s, sizeof t.s, "%.*s", (int)n, st);
    check_greek(d, st, n);
    if (!n)
      continue;
    {
      double w = tex_width(st, n) * fs, h = 1.2 * fs;  /* \strut: the baselineskip */
      double u0 = align == 'r' ? -w : align == 'l' ? 0 : -w / 2;
      x *= unit;
      y = d->h - y * unit;  /* y downwards, as in SVG */
      if (rot)
        t.b = (box){x - h / 2, y - (u0 + w), x + h / 2, y - u0};
      else
        t.b = (box){x + u0, y - h / 2, x + u0 + w, y + h / 2};
      /* the strut's height is line spacing, not ink: shrink to the letters */
      if (rot) {
        t.b.x0 += 0.15 * fs;
        t.b.x1 -= 0.15 * fs;
      } else {
        t.b.y0 += 0.15 * fs;
        t.b.y1 -= 0.15 * fs;
      }
      t.rot = rot;
      t.cx = x;
      t.cy = y;
      t.group = -1;
      d->t = grow(d->t, &d->ct, d->nt, sizeof *d->t);
      d->t[d->nt++] = t;
    }
  }
  return 0;
}

static void check_tex(drawing *d)
{
  for (size_t i = 0; i < d->nt; i++) {
    const text *t = &d->t[i];
    if (t->b.x0 < -TOL || t->b.y0 < -TOL || t->b.x1 > d->w + TOL || t->b.y1 > d->h + TOL)
      defect(d, "text \"%s\" cut by the picture's edge (extent %.1f..%.1f x %.1f..%.1f bp, "
                "picture %gx%g)", t->s, t->b.x0, t->b.x1, t->b.y0, t->b.y1, d->w, d->h);
  }
  for (size_t i = 0; i < d->nt; i++)
    for (size_t k = i + 1; k < d->nt; k++)
      if (overlap(d->t[i].b, d->t[k].b, TOL))
        defect(d, "texts \"%s\" and \"%s\" overlap", d->t[i].s, d->t[k].s);
}

static void drawing_free(drawing *d)
{
  free(d->t);
  free(d->s);
  free(d->m);
}

/* Defects in TEXT (svg when IS_SVG, else tex); -1 when unreadable. */
static int check_text(const char *file, const char *text, int is_svg, int quiet)
{
  drawing d;
  int rc;
  memset(&d, 0, sizeof d);
  d.file = file;
  d.quiet = quiet;
  rc = is_svg ? parse_svg(&d, text) : parse_tex(&d, text);
  if (rc == 0) {
    if (is_svg)
      check_svg(&d);
    else
      check_tex(&d);
    rc = d.defects;
  }
  drawing_free(&d);
  return rc;
}

/* ---- self-test: each defect in a small drawing, and its clean twin ---- */

#define SVG_HEAD "<svg width=\"200\" height=\"100\">\n</defs>\n"
#define BORDER(y0, y1)                                                                      \
  "<g fill=\"none\" color=\"black\">\n<path stroke='black'  d='M40.00," #y0 " L40.00," #y1 \
  " L190.00," #y1 " '/></g>\n"
#define TEXT(x, y, anchor, s)                                                                \
  "<g><g transform=\"translate(" #x "," #y ")\" stroke=\"none\" font-size=\"8.00\" "       \
  "text-anchor=\"" anchor "\">\n<text><tspan>" s "</tspan></text>\n</g></g>\n"
#define KEY(x, y, s, sample)                                                                 \
  "<g id=\"gnuplot_plot_1\" ><title>k</title>\n<g>\n<g transform=\"translate(" #x "," #y   \
  ")\" stroke=\"none\" font-size=\"7.00\" text-anchor=\"end\">\n<text><tspan>" s           \
  "</tspan></text>\n</g>\n</g>\n<path stroke='rgb(0, 114, 178)' d='" sample "'/></g>\n"

static void self_test(void)
{
  static const struct {
    const char *what, *text;
    int svg, defects;
  } cases[] = {
    {"clean: labels inside, legend clear of the data",
     SVG_HEAD BORDER(5, 80) TEXT(115, 95, "middle", "epoch")
       KEY(150, 20, "train", "M152,17 L170,17 M40,79 L100,60") "</svg>",
     1, 0},
    {"x label cut by the bottom edge", SVG_HEAD BORDER(5, 80) TEXT(115, 101, "middle", "epoch") "</svg>",
     1, 1},
    {"tick label cut by the top edge (superscript)",
     SVG_HEAD BORDER(5, 80)
       "<g><path stroke='black' d='M40,5 L37,5'/><g transform=\"translate(35,6)\" font-size=\"8\" "
       "text-anchor=\"end\"><text><tspan>10</tspan><tspan font-size=\"6.4\" dy=\"-4\">0</tspan>"
       "</text></g></g></svg>",
     1, 1},
    {"a line through the legend",
     SVG_HEAD BORDER(5, 80) KEY(150, 20, "train", "M152,17 L170,17 M40,79 L180,5") "</svg>", 1, 1},
    {"a dashed level line through the legend's sample",
     SVG_HEAD BORDER(5, 80) KEY(150, 20, "train", "M152,17 L170,17")
       "<g><path stroke='rgb(  0,   0,   0)' stroke-dasharray='2,4' d='M160,80 L160,5'/></g></svg>",
     1, 1},
    {"a label beyond the axes", SVG_HEAD BORDER(5, 80) TEXT(195, 30, "middle", "III") "</svg>", 1, 1},
    {"stacked panels with different x ranges",
     SVG_HEAD BORDER(5, 40) BORDER(50, 80)
       "<g><path stroke='black' d='M40,40 L40,42 M100,40 L100,42'/></g>"
       "<g><path stroke='black' d='M40,80 L40,82 M120,80 L120,82'/></g></svg>",
     1, 1},
    {"a legend in gnuplot's default purple",
     SVG_HEAD BORDER(5, 80) "<g id=\"gnuplot_plot_1\" ><title>k</title>\n<g>\n<g transform=\"translate(150,20)\" "
       "stroke=\"none\" font-size=\"7.00\" text-anchor=\"end\">\n<text><tspan>Adam</tspan></text>\n</g>\n</g>\n"
       "<path stroke='rgb(148,   0, 211)' d='M152,17 L170,17'/></g>\n</svg>",
     1, 1},
    {"an axis of fractions titled active nodes",
     SVG_HEAD BORDER(5, 80)
       "<g><path stroke='black' d='M40,40 L37,40'/><g transform=\"translate(35,43)\" font-size=\"8\" "
       "text-anchor=\"end\"><text><tspan>0.5</tspan></text></g></g>"
       "<g><g transform=\"translate(10,40) rotate(270)\" font-size=\"8\" text-anchor=\"middle\">"
       "<text><tspan>active nodes</tspan></text></g></g></svg>",
     1, 1},
    {"tex: eta without its backslash",
     "\\setlength{\\unitlength}{0.0500bp}\\fontsize{8}{9.6}\\selectfont\n"
     "\\begin{picture}(4000,2000)\n\\put(2000,200){\\makebox(0,0){\\strut{}ridge $eta $}}\n",
     0, 1},
    {"tex: eta with it",
     "\\setlength{\\unitlength}{0.0500bp}\\fontsize{8}{9.6}\\selectfont\n"
     "\\begin{picture}(4000,2000)\n\\put(2000,200){\\makebox(0,0){\\strut{}ridge $\\eta $}}\n",
     0, 0},
    {"tex: text larger than gnuplot planned overlaps its neighbour",
     "\\setlength{\\unitlength}{0.0500bp}\n\\begin{picture}(4000,2000)\n"
     "\\put(600,1800){\\makebox(0,0)[r]{\\strut{}$25$}}\n"
     "\\put(2000,1780){\\makebox(0,0)[r]{\\strut{}maxima, random starts}}\n",
     0, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int n = check_text(cases[i].what, cases[i].text, cases[i].svg, 1);
    ok(cases[i].defects ? n > 0 : n == 0, "%s: %d defect(s) found", cases[i].what, n);
  }
}

int main(int argc, char **argv)
{
  FILE *fp;
  char *buf;
  long len;
  int rc;
  if (argc == 1) {
    self_test();
    return tap_done();
  }
  if (argc != 3 || (strcmp(argv[1], "svg") && strcmp(argv[1], "tex") && strcmp(argv[1], "extent"))) {
    fputs("usage: figcheck svg|tex|extent FILE\n", stderr);
    return 2;
  }
  if (!(fp = fopen(argv[2], "rb"))) {
    perror(argv[2]);
    return 2;
  }
  fseek(fp, 0, SEEK_END);
  len = ftell(fp);
  rewind(fp);
  buf = malloc((size_t)len + 1);
  if (!buf || fread(buf, 1, (size_t)len, fp) != (size_t)len) {
    fclose(fp);
    free(buf);
    fprintf(stderr, "%s: cannot read\n", argv[2]);
    return 2;
  }
  fclose(fp);
  buf[len] = 0;
  if (!strcmp(argv[1], "extent")) {
    drawing d;
    box b = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    memset(&d, 0, sizeof d);
    rc = parse_svg(&d, buf);
    for (size_t i = 0; !rc && i < d.nt; i++) {
      b.x0 = fmin(b.x0, d.t[i].b.x0);
      b.y0 = fmin(b.y0, d.t[i].b.y0);
      b.x1 = fmax(b.x1, d.t[i].b.x1);
      b.y1 = fmax(b.y1, d.t[i].b.y1);
    }
    for (size_t i = 0; !rc && i < d.ns; i++)
      if (d.s[i].black) {
        b.x0 = fmin(b.x0, fmin(d.s[i].x0, d.s[i].x1));
        b.y0 = fmin(b.y0, fmin(d.s[i].y0, d.s[i].y1));
        b.x1 = fmax(b.x1, fmax(d.s[i].x0, d.s[i].x1));
        b.y1 = fmax(b.y1, fmax(d.s[i].y0, d.s[i].y1));
      }
    if (!rc && d.w > 0 && d.h > 0 && isfinite(b.x0))
      printf("%.4f %.4f %.4f %.4f\n", b.x0 / d.w, b.y0 / d.h, b.x1 / d.w, b.y1 / d.h);
    else
      rc = -1;
    drawing_free(&d);
    free(buf);
    return rc ? 2 : 0;
  }
  rc = check_text(argv[2], buf, !strcmp(argv[1], "svg"), 0);
  free(buf);
  if (rc < 0) {
    fprintf(stderr, "%s: not a gnuplot %s figure\n", argv[2], argv[1]);
    return 2;
  }
  return rc > 0;
}
