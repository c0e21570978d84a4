/*
 * Story: "the tool says 'initialisation failed' and nothing else" (C version).
 *
 * Like a hypervisor helper that needs /dev/vhost-net (absent when the
 * vhost_net module is not loaded): it probes optional config files, falls
 * back to defaults, then opens the device and fails with a vague message.
 * The trace shows the decisive line:
 *     openat(AT_FDCWD, "/dev/vhost-net-example", O_RDWR|O_CLOEXEC) = -1 ENOENT
 * among the harmless failed config opens before it.
 *
 *     make -C examples
 *     tracetui examples/open_missing_device
 * (strace equivalent: strace -e trace=openat ./examples/open_missing_device)
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static const char *const configs[] = {
	"/etc/exampled/exampled.conf",
	"/usr/local/etc/exampled.conf",
	"exampled.conf",
};

int main(void)
{
	for (unsigned i = 0; i < sizeof configs / sizeof configs[0]; i++) {
		int fd = open(configs[i], O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			break;
		}
	}
	int dev = open("/dev/vhost-net-example", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fputs("exampled: initialisation failed\n", stderr);
		return 1;
	}
	close(dev);
	puts("exampled: ready");
	return 0;
}
