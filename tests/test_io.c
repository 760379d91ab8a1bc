/* File input/output against hostile files (issue 15): only regular files of
 * bounded size are read; FIFOs, devices and links to them are refused with
 * one line naming the file, without blocking. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "tap.h"

/* A read that blocks is a failure, not a hang of the test suite. */
static void on_alarm(int sig)
{
  (void)sig;
  static const char msg[] = "not ok - li2_io_read_file blocked\n";
  if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0)
    _exit(1);
  _exit(1);
}

static int refused(const char *path, const char *what)
{
  li2_error err = {0};
  char *text = (char *)"untouched";
  size_t len = 0;
  int rc;
  alarm(10);
  rc = li2_io_read_file(path, &text, &len, &err);
  alarm(0);
  ok(rc == LI2_EIO && text == NULL && strstr(err.msg, path) && !strchr(err.msg, '\n'),
     "%s refused: %s", what, err.msg);
  if (!rc)
    free(text);
  return rc != 0;
}

int main(void)
{
  char dir[64], path[128], fifo[128], zlink[128], big[128];
  li2_error err = {0};
  char *text = NULL;
  size_t len = 0;
  FILE *fp;

  signal(SIGALRM, on_alarm);
  snprintf(dir, sizeof dir, "test_io.%ld.d", (long)getpid());
  ok(li2_io_mkdir(dir, &err) == 0, "mkdir %s", dir);
  snprintf(path, sizeof path, "%s/plain", dir);
  snprintf(fifo, sizeof fifo, "%s/fifo", dir);
  snprintf(zlink, sizeof zlink, "%s/zero", dir);
  snprintf(big, sizeof big, "%s/big", dir);

  fp = fopen(path, "w");
  if (fp) {
    fputs("abc\n", fp);
    fclose(fp);
  }
  ok(li2_io_read_file(path, &text, &len, &err) == 0 && len == 4 && !strcmp(text, "abc\n"),
     "a regular file is read whole");
  free(text);

  ok(mkfifo(fifo, 0600) == 0, "mkfifo");
  refused(fifo, "a FIFO with no writer");
  refused("/dev/zero", "/dev/zero");
  ok(symlink("/dev/zero", zlink) == 0, "symlink to /dev/zero");
  refused(zlink, "a link to /dev/zero");
  refused(dir, "a directory");

  /* a sparse file one byte over the cap costs no disk */
  fp = fopen(big, "w");
  ok(fp && ftruncate(fileno(fp), (off_t)LI2_IO_READ_MAX + 1) == 0, "sparse file over the cap");
  if (fp)
    fclose(fp);
  refused(big, "a file over LI2_IO_READ_MAX");

  remove(path);
  remove(fifo);
  remove(zlink);
  remove(big);
  rmdir(dir);
  return tap_done();
}
