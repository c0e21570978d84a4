/*
 * ioctls whose results only print when they succeed, for the comparison with strace
 * under `-e inject=ioctl:retval=42` (tests/test_decode_ioctl.py): HDIO_GETGEO's aligned
 * start sector, HDIO_DRIVE_CMD's returned sectors cut at -s (or their address where
 * memory ends first), EVIOCGMTSLOTS' axis code and slot values.
 * Everything after the `write(-1, "start", 5)` marker is compared line by line.
 */
#include <linux/hdreg.h>
#include <linux/input.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pages + page, page);
	struct hd_geometry geo = {.heads = 202, .sectors = 254, .cylinders = 47806,
				  .start = 0xbadc0dedfacefeedUL};
	unsigned char cmd[4 + 512];
	for (size_t i = 0; i < sizeof cmd; i++)
		cmd[i] = 0x80 + i;
	unsigned char *edge = pages + page - 16; /* 12 bytes of sectors, then the end */
	memcpy(edge, cmd, 16);
	int slots[3] = {ABS_MT_SLOT, 1, 3};
	int bad_code[2] = {-1, 7};
	write(-1, "start", 5);

	ioctl(-1, HDIO_GETGEO, &geo);
	cmd[3] = 1;
	ioctl(-1, HDIO_DRIVE_CMD, cmd);
	ioctl(-1, HDIO_DRIVE_CMD, edge);
	cmd[3] = 0;
	ioctl(-1, HDIO_DRIVE_CMD, cmd);
	ioctl(-1, EVIOCGMTSLOTS(sizeof slots), slots);
	ioctl(-1, EVIOCGMTSLOTS(sizeof bad_code), bad_code);
	ioctl(-1, EVIOCGMTSLOTS(0), slots);
	return 0;
}
