/*
 * SCSI generic ioctls (type 0x22), for the comparison with strace
 * (tests/test_decode_scsi.py): ints passed and returned through a pointer, at the
 * end of a page and past it, SG_SCSI_RESET's values, SG_SET_TRANSFORM's int,
 * SG_GET_TIMEOUT's missing argument, SG_GET_SCSI_ID's and SG_GET_REQUEST_TABLE's
 * structures (printed once the call succeeds: the comparison injects success), and
 * SG_IO with NULL and with an interface id that is neither 'S' nor 'Q'. Every call
 * is made on fd -1; everything after the `write(-1, "start", 5)` marker is compared.
 */
#include <scsi/sg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* Newer than glibc's <scsi/sg.h>: the kernel's values. */
#define RESET_TARGET 4
#define RESET_NO_ESCALATE 0x100

static const unsigned long int_in[] = {
	SG_NEXT_CMD_LEN, SG_SET_COMMAND_Q, SG_SET_DEBUG, SG_SET_FORCE_LOW_DMA,
	SG_SET_FORCE_PACK_ID, SG_SET_KEEP_ORPHAN, SG_SET_RESERVED_SIZE, SG_SET_TIMEOUT,
};
static const unsigned long int_out[] = {
	SG_EMULATED_HOST, 0x2289 /* SG_GET_ACCESS_COUNT */, SG_GET_COMMAND_Q,
	SG_GET_KEEP_ORPHAN, SG_GET_LOW_DMA, SG_GET_NUM_WAITING, SG_GET_PACK_ID,
	SG_GET_RESERVED_SIZE, SG_GET_SG_TABLESIZE, SG_GET_TRANSFORM, SG_GET_VERSION_NUM,
};

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pages + page, page);
	char *end = pages + page;
	int *num = (int *) (end - sizeof(int));
	write(-1, "start", 5);

	*num = -87097619;
	for (size_t i = 0; i < sizeof int_in / sizeof int_in[0]; i++) {
		ioctl(-1, int_in[i], num);
		ioctl(-1, int_in[i], NULL);
		ioctl(-1, int_in[i], end); /* unreadable */
	}
	for (size_t i = 0; i < sizeof int_out / sizeof int_out[0]; i++) {
		ioctl(-1, int_out[i], num);
		ioctl(-1, int_out[i], NULL);
	}
	ioctl(-1, SG_GET_TIMEOUT, 0xdeadbeefUL);
	ioctl(-1, SG_SET_TRANSFORM, 0xffffffff0000abcdUL);
	ioctl(-1, SG_SET_TRANSFORM, 0);

	static const unsigned int resets[] = {
		0, SG_SCSI_RESET_DEVICE, RESET_TARGET,
		RESET_NO_ESCALATE | SG_SCSI_RESET_BUS, RESET_NO_ESCALATE,
		0xfacefeed, 0x17,
	};
	for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++) {
		*(unsigned int *) num = resets[i];
		ioctl(-1, SG_SCSI_RESET, num);
	}
	ioctl(-1, SG_SCSI_RESET, end);

	struct sg_scsi_id *id = (void *) (end - sizeof(*id));
	memset(id, 0, sizeof(*id));
	id->host_no = -1;
	id->channel = 2;
	id->scsi_id = 0xabcdef;
	id->lun = 7;
	id->scsi_type = 5;
	id->h_cmd_per_lun = -3;
	id->d_queue_depth = 32;
	ioctl(-1, SG_GET_SCSI_ID, id);
	ioctl(-1, SG_GET_SCSI_ID, NULL);
	ioctl(-1, SG_GET_SCSI_ID, end);

	struct sg_req_info *req = (void *) (end - sizeof(*req));
	memset(req, 0, sizeof(*req));
	req->req_state = 2;
	req->orphan = -1;
	req->problem = 1;
	req->pack_id = -42;
	req->usr_ptr = (void *) (uintptr_t) 0xdeadbeefcafeUL;
	req->duration = 4000000000U;
	ioctl(-1, SG_GET_REQUEST_TABLE, req);
	req->usr_ptr = NULL;
	ioctl(-1, SG_GET_REQUEST_TABLE, req);
	ioctl(-1, SG_GET_REQUEST_TABLE, NULL);

	ioctl(-1, SG_IO, NULL);
	*(unsigned int *) num = 0x83838380U;
	ioctl(-1, SG_IO, num);
	ioctl(-1, SG_IO, end);
	return 0;
}
