/* inotify and fanotify: init flags, watch masks, mark flags, FAN_NOFD and AT_FDCWD dirfds. */
#include "oracle.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	char dir[512], cwd[512];
	snprintf(dir, sizeof dir, "%s", argv[1]);
	dirname(dir);
	if (!getcwd(cwd, sizeof cwd))
		return 2;
	int r;
	int in0 = syscall(SYS_inotify_init);
	expect("inotify_init() = %s", fdn(in0));
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	expect("inotify_init1(IN_NONBLOCK|IN_CLOEXEC) = %s", fdn(in));
	int w = inotify_add_watch(in, dir, IN_CREATE | IN_DELETE | IN_ONLYDIR);
	expect("inotify_add_watch(%s, \"%s\", IN_CREATE|IN_DELETE|IN_ONLYDIR) = %d", fdn(in), dir, w);
	r = inotify_rm_watch(in, w);
	expect("inotify_rm_watch(%s, %d) = %d", fdn(in), w, r);

	int fa = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY);
	if (fa < 0) {
		expect("fanotify_init(FAN_CLASS_NOTIF|FAN_CLOEXEC|FAN_NONBLOCK, O_RDONLY) = -1 EPERM (Operation not permitted)");
		return 0;
	}
	expect("fanotify_init(FAN_CLASS_NOTIF|FAN_CLOEXEC|FAN_NONBLOCK, O_RDONLY) = %s", fdn(fa));
	r = fanotify_mark(fa, FAN_MARK_ADD, FAN_MODIFY | FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD, AT_FDCWD, dir);
	expect("fanotify_mark(%s, FAN_MARK_ADD, FAN_MODIFY|FAN_CLOSE_WRITE|FAN_EVENT_ON_CHILD, AT_FDCWD<%s>, \"%s\") = %d", fdn(fa), cwd, dir, r);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	r = fanotify_mark(fa, FAN_MARK_REMOVE, FAN_MODIFY | FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD, dfd, NULL);
	expect("fanotify_mark(%s, FAN_MARK_REMOVE, FAN_MODIFY|FAN_CLOSE_WRITE|FAN_EVENT_ON_CHILD, %s, NULL) = %d", fdn(fa), fdn(dfd), r);
	r = syscall(SYS_fanotify_mark, fa, FAN_MARK_ADD, FAN_OPEN, -1, NULL);
	expect("fanotify_mark(%s, FAN_MARK_ADD, FAN_OPEN, FAN_NOFD, NULL) = -1 EBADF (Bad file descriptor)", fdn(fa));
	r = fanotify_init(FAN_CLASS_CONTENT | FAN_REPORT_FID, O_RDWR);
	if (r < 0 && errno == EINVAL)
		expect("fanotify_init(FAN_CLASS_CONTENT|FAN_REPORT_FID, O_RDWR) = -1 EINVAL (Invalid argument)");
	else
		expect("fanotify_init(FAN_CLASS_CONTENT|FAN_REPORT_FID, O_RDWR) = %s", fdn(r));
	return 0;
}
