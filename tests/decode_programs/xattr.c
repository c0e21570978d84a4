/* Extended attributes: set/get/list/remove in the path, l- and f- forms. */
#include "oracle.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/xattr.h>

static const char *err(int r)
{
	static char buf[96];
	if (r >= 0)
		snprintf(buf, sizeof buf, "%d", r);
	else if (errno == ENODATA)
		snprintf(buf, sizeof buf, "-1 ENODATA (No data available)");
	else if (errno == EEXIST)
		snprintf(buf, sizeof buf, "-1 EEXIST (File exists)");
	else if (errno == ERANGE)
		snprintf(buf, sizeof buf, "-1 ERANGE (Numerical result out of range)");
	else
		snprintf(buf, sizeof buf, "-1 errno %d", errno);
	return buf;
}

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	char path[512], dir[512], buf[256];
	snprintf(dir, sizeof dir, "%s", argv[1]);
	snprintf(path, sizeof path, "%s/xattr-target", dirname(dir));
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	int r;
	r = setxattr(path, "user.a", "hello", 5, XATTR_CREATE);
	if (r < 0 && errno == ENOTSUP)
		return 0; /* no user xattrs on this filesystem: nothing to expect */
	expect("setxattr(\"%s\", \"user.a\", \"hello\", 5, XATTR_CREATE) = %s", path, err(r));
	r = setxattr(path, "user.a", "hello", 5, XATTR_CREATE);
	expect("setxattr(\"%s\", \"user.a\", \"hello\", 5, XATTR_CREATE) = %s", path, err(r));
	r = lsetxattr(path, "user.b", "ab\0c\1", 5, 0);
	expect("lsetxattr(\"%s\", \"user.b\", \"ab\\0c\\1\", 5, 0) = %s", path, err(r));
	r = lsetxattr(path, "user.c", "z", 1, XATTR_REPLACE);
	expect("lsetxattr(\"%s\", \"user.c\", \"z\", 1, XATTR_REPLACE) = %s", path, err(r));
	char long_value[80];
	memset(long_value, 'v', sizeof long_value);
	r = fsetxattr(fd, "user.long", long_value, sizeof long_value, 0);
	expect("fsetxattr(%s, \"user.long\", \"%.64s\"..., 80, 0) = %s", fdn(fd), long_value, err(r));
	r = fsetxattr(fd, "user.nul", "txt\0", 4, 0);
	expect("fsetxattr(%s, \"user.nul\", \"txt\", 4, 0) = %s", fdn(fd), err(r));

	r = getxattr(path, "user.a", buf, sizeof buf);
	expect("getxattr(\"%s\", \"user.a\", \"hello\", 256) = %s", path, err(r));
	r = getxattr(path, "user.a", NULL, 0);
	expect("getxattr(\"%s\", \"user.a\", NULL, 0) = %s", path, err(r));
	r = lgetxattr(path, "user.missing", buf, sizeof buf);
	expect("lgetxattr(\"%s\", \"user.missing\", %p, 256) = %s", path, (void *)buf, err(r));
	r = fgetxattr(fd, "user.b", buf, sizeof buf);
	expect("fgetxattr(%s, \"user.b\", \"ab\\0c\\1\", 256) = %s", fdn(fd), err(r));
	r = fgetxattr(fd, "user.long", buf, 3);
	expect("fgetxattr(%s, \"user.long\", %p, 3) = %s", fdn(fd), (void *)buf, err(r));

	r = listxattr(path, buf, sizeof buf);
	/* The kernel's order of names is its own: print what it returned. */
	char names[256] = "";
	for (int i = 0; i < r; i++) {
		if (buf[i])
			strncat(names, &buf[i], 1);
		else
			strcat(names, "\\0");
	}
	expect("listxattr(\"%s\", \"%s\", 256) = %s", path, names, err(r));
	r = llistxattr(path, NULL, 0);
	expect("llistxattr(\"%s\", NULL, 0) = %s", path, err(r));
	r = flistxattr(fd, buf, 1);
	expect("flistxattr(%s, %p, 1) = %s", fdn(fd), (void *)buf, err(r));

	r = removexattr(path, "user.a");
	expect("removexattr(\"%s\", \"user.a\") = %s", path, err(r));
	r = lremovexattr(path, "user.a");
	expect("lremovexattr(\"%s\", \"user.a\") = %s", path, err(r));
	r = fremovexattr(fd, "user.b");
	expect("fremovexattr(%s, \"user.b\") = %s", fdn(fd), err(r));
	return 0;
}
