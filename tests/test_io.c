/* File input/output against hostile files (issue 15): only regular files of
 * bounded size are read; FIFOs, devices and links to them are refused with
 * one line naming the file, without blocking. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
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

static void put(const char *dir, const char *name, const char *text)
{
  char p[512];
  FILE *fp;
  snprintf(p, sizeof p, "%s/%s", dir, name);
  if ((fp = fopen(p, "w"))) {
    fputs(text, fp);
    fclose(fp);
  }
}

/* 1 when DIR/NAME holds exactly TEXT. */
static int holds(const char *dir, const char *name, const char *text)
{
  char p[512], buf[256] = {0};
  FILE *fp;
  size_t n;
  snprintf(p, sizeof p, "%s/%s", dir, name);
  if (!(fp = fopen(p, "r")))
    return 0;
  n = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  return n == strlen(text) && !memcmp(buf, text, n);
}

static int exists(const char *dir, const char *name)
{
  char p[512];
  struct stat st;
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return lstat(p, &st) == 0;
}

/* Entries of DIR other than . and .. */
static int entries(const char *dir)
{
  int n = 0;
  DIR *d = opendir(dir);
  struct dirent *de;
  while (d && (de = readdir(d)))
    n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
  if (d)
    closedir(d);
  return n;
}

/* li2_io_stage: an aborted stage leaves OUT as it was, a committed one
 * replaces what it wrote (directories whole) and keeps the rest. */
static void test_stage(const char *base)
{
  li2_error err = {0};
  li2_io_stage st;
  char out[256], sub[512], msg[512];
  int rc;
  snprintf(out, sizeof out, "%s/out", base);

  /* OUT created by the stage and removed by its abort */
  /* (the call first: the arguments of ok() are evaluated in any order) */
  rc = li2_io_stage_begin(&st, out, &err);
  ok(rc == 0 && st.created && li2_io_is_dir(st.dir) && !strncmp(st.dir, out, strlen(out)) &&
         strstr(st.dir, LI2_IO_STAGE_PREFIX),
     "stage begins in a new OUT: %s", rc ? err.msg : st.dir);
  put(st.dir, "a.txt", "new");
  snprintf(msg, sizeof msg, "%s/a.txt: disk full; %s/b", st.dir, st.dir);
  li2_io_stage_msg(&st, msg, sizeof msg);
  snprintf(sub, sizeof sub, "%s/a.txt: disk full; %s/b", out, out);
  ok(!strcmp(msg, sub), "a message names OUT, not the stage: %s", msg);
  li2_io_stage_abort(&st);
  ok(!exists(base, "out") && st.dir == NULL, "abort removes the OUT it created");

  /* a previous output: a file, a directory of files, an unrelated file */
  ok(li2_io_mkdir(out, &err) == 0, "mkdir OUT");
  put(out, "a.txt", "old");
  put(out, "keep.txt", "mine");
  snprintf(sub, sizeof sub, "%s/run", out);
  ok(li2_io_mkdir(sub, &err) == 0, "mkdir OUT/run");
  put(sub, "ckpt-000010.li2", "old ckpt");
  put(sub, "metrics.tsv", "old metrics");

  ok(li2_io_stage_begin(&st, out, &err) == 0 && !st.created, "stage in an existing OUT");
  put(st.dir, "a.txt", "new");
  snprintf(sub, sizeof sub, "%s/run", st.dir);
  li2_io_mkdir(sub, &err);
  put(sub, "metrics.tsv", "new metrics");
  li2_io_stage_abort(&st);
  snprintf(sub, sizeof sub, "%s/run", out);
  ok(holds(out, "a.txt", "old") && holds(out, "keep.txt", "mine") &&
         holds(sub, "metrics.tsv", "old metrics") && holds(sub, "ckpt-000010.li2", "old ckpt"),
     "abort leaves every previous file as it was");
  /* nothing of the stage is left: OUT holds a.txt, keep.txt and run only */
  ok(entries(out) == 3, "abort leaves no stage directory (%d entries)", entries(out));

  ok(li2_io_stage_begin(&st, out, &err) == 0, "stage again");
  put(st.dir, "a.txt", "new");
  put(st.dir, "b.txt", "b");
  snprintf(sub, sizeof sub, "%s/run", st.dir);
  li2_io_mkdir(sub, &err);
  put(sub, "metrics.tsv", "new metrics");
  rc = li2_io_stage_commit(&st, &err);
  ok(rc == 0 && st.dir == NULL, "commit: %s", rc ? err.msg : "ok");
  snprintf(sub, sizeof sub, "%s/run", out);
  ok(holds(out, "a.txt", "new") && holds(out, "b.txt", "b") && holds(out, "keep.txt", "mine"),
     "commit replaces the files written and keeps the others");
  ok(holds(sub, "metrics.tsv", "new metrics") && !exists(sub, "ckpt-000010.li2"),
     "commit replaces a directory whole (no stale checkpoint)");
  ok(entries(out) == 4, "commit leaves no stage directory (%d entries)", entries(out));

  /* the stage of a process killed with -9 (its PID gone) is removed when
   * the next stage begins; a live process's is kept */
  {
    char dead[128], live[128];
    pid_t child = fork();
    if (child == 0)
      _exit(0);
    waitpid(child, NULL, 0);
    snprintf(dead, sizeof dead, "%s/%s%ld.Ab12Cd", out, LI2_IO_STAGE_PREFIX, (long)child);
    snprintf(live, sizeof live, "%s/%s%ld.Ef34Gh", out, LI2_IO_STAGE_PREFIX, (long)getppid());
    ok(li2_io_mkdir(dead, &err) == 0 && li2_io_mkdir(live, &err) == 0, "two stage directories");
    put(dead, "half.txt", "half");
    rc = li2_io_stage_begin(&st, out, &err);
    ok(rc == 0 && !li2_io_is_dir(dead) && li2_io_is_dir(live),
       "a new stage removes a dead process's stage (pid %ld), keeps a live one's", (long)child);
    li2_io_stage_abort(&st);
    li2_io_remove_tree(live);
  }
  ok(li2_io_remove_tree(out) == 0 && !exists(base, "out"), "li2_io_remove_tree");
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

  /* issue 15 defect 8: a temporary name planted as a link to a file
   * outside the directory is not written through */
  {
    char victim[128], tmpname[160], target[128];
    li2_io_file f;
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(target, sizeof target, "%s/target", dir);
    snprintf(tmpname, sizeof tmpname, "%s.tmp.%ld", target, (long)getpid());
    fp = fopen(victim, "w");
    if (fp) {
      fputs("precious\n", fp);
      fclose(fp);
    }
    ok(symlink("victim", tmpname) == 0, "plant %s -> victim", tmpname);
    ok(li2_io_open_atomic(&f, target, &err) == 0, "open_atomic past the planted link");
    if (f.fp) {
      fputs("new\n", f.fp);
      ok(li2_io_commit(&f, &err) == 0, "commit");
    }
    text = NULL;
    ok(li2_io_read_file(victim, &text, &len, &err) == 0 && !strcmp(text, "precious\n"),
       "the link's target is untouched");
    free(text);
    text = NULL;
    ok(li2_io_read_file(target, &text, &len, &err) == 0 && !strcmp(text, "new\n"),
       "the file is written in the directory");
    free(text);
    /* li2_io_open_write: no link, no FIFO, no device */
    remove(path);
    ok(symlink("victim", path) == 0, "plant plain -> victim");
    fp = li2_io_open_write(path, 0, &err);
    ok(!fp && strstr(err.msg, path) && strstr(err.msg, "symbolic link"), "open_write refuses a link: %s",
       err.msg);
    if (fp)
      fclose(fp);
    alarm(10);
    fp = li2_io_open_write(fifo, 1, &err);
    alarm(0);
    ok(!fp && strstr(err.msg, fifo), "open_write refuses a FIFO without blocking: %s", err.msg);
    if (fp)
      fclose(fp);
    remove(victim);
    remove(target);
    remove(tmpname);
  }

  /* issue 15 defect 9: a full device is an error at flush and close */
  fp = fopen("/dev/full", "w");
  if (fp) {
    fputs("row\n", fp);
    ok(li2_io_close(fp, "/dev/full", &err) == LI2_EIO && strstr(err.msg, "/dev/full: cannot write"),
       "li2_io_close reports a full device: %s", err.msg);
  } else
    ok(1, "# SKIP no /dev/full");

  /* issue 15 defect 5: one writer per directory; the refusal names the
   * holder's pid (fcntl locks conflict between processes only) */
  {
    int pfd[2], lk = -1;
    pid_t child;
    char c;
    ok(pipe(pfd) == 0, "pipe");
    child = fork();
    if (child == 0) {
      int cl;
      li2_error e2 = {0};
      if (li2_io_lock(dir, 0, &cl, &e2) != 0)
        _exit(1);
      if (write(pfd[1], "L", 1) != 1)
        _exit(1);
      sleep(30);
      _exit(0);
    }
    ok(child > 0 && read(pfd[0], &c, 1) == 1, "child holds the lock");
    {
      char want[64];
      snprintf(want, sizeof want, "(pid %ld", (long)child);
      ok(li2_io_lock(dir, 0, &lk, &err) == LI2_EIO && lk < 0 && strstr(err.msg, want) &&
             strstr(err.msg, dir) && !strchr(err.msg, '\n'),
         "second writer refused naming the holder: %s", err.msg);
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    ok(li2_io_lock(dir, 0, &lk, &err) == 0 && lk >= 0, "the lock is free once its holder died (kill -9)");
    li2_io_unlock(lk);
    close(pfd[0]);
    close(pfd[1]);
    snprintf(path, sizeof path, "%s/%s", dir, LI2_IO_LOCK_NAME);
    remove(path);
    snprintf(path, sizeof path, "%s/plain", dir);
  }

  test_stage(dir);

  remove(path);
  remove(fifo);
  remove(zlink);
  remove(big);
  rmdir(dir);
  return tap_done();
}
