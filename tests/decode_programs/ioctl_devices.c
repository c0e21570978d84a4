/*
 * Device ioctls without the device: PTP clocks ('=') and GPIO chips (0xb4) on fd -1,
 * for the comparison with strace (tests/test_decode_ioctl_devices.py), once failing
 * with EBADF (only what the program passed is shown) and once with every ioctl made
 * to succeed (`-e inject=ioctl:retval=42`: what the kernel would have filled in too).
 * Structures at the very end of a mapping, flags with unknown bits, arrays longer
 * than -s, dates of clock samples and v2 line attributes printed raw.
 * Everything after the `write(-1, "start", 5)` marker is compared line by line.
 */
#include <linux/gpio.h>
#include <linux/ptp_clock.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static unsigned char *page_end;

/* `size` bytes ending where the mapping ends, zeroed. */
static void *tail(size_t size)
{
	memset(page_end - size, 0, size);
	return page_end - size;
}

static void ptp(void)
{
	struct ptp_clock_caps *caps = tail(sizeof *caps);
	ioctl(-1, PTP_CLOCK_GETCAPS, caps);
	caps->max_adj = -5;
	caps->rsv[3] = 0xfeed;
	ioctl(-1, PTP_CLOCK_GETCAPS2, caps);
	ioctl(-1, PTP_CLOCK_GETCAPS, (char *) caps + 1);

	struct ptp_extts_request *extts = tail(sizeof *extts);
	extts->index = 3;
	extts->flags = PTP_ENABLE_FEATURE | PTP_RISING_EDGE | 0x100;
	extts->rsv[1] = 7;
	ioctl(-1, PTP_EXTTS_REQUEST, extts);
	ioctl(-1, PTP_EXTTS_REQUEST2, extts);

	struct ptp_perout_request *perout = tail(sizeof *perout);
	perout->start.sec = 1700000000;
	perout->start.nsec = 5;
	perout->period.sec = 1;
	perout->period.reserved = 9;
	perout->flags = PTP_PEROUT_ONE_SHOT;
	perout->rsv[2] = 0xabc;
	ioctl(-1, PTP_PEROUT_REQUEST2, perout);
	perout->flags = PTP_PEROUT_DUTY_CYCLE | PTP_PEROUT_PHASE;
	ioctl(-1, PTP_PEROUT_REQUEST, perout);
	ioctl(-1, PTP_ENABLE_PPS, 1);

	struct ptp_sys_offset *off = tail(sizeof *off);
	off->n_samples = 20; /* 41 readings: more than -s */
	off->rsv[1] = 1;
	for (int i = 0; i < 2 * PTP_MAX_SAMPLES + 1; i++) {
		off->ts[i].sec = 1600000000 + i;
		off->ts[i].nsec = i & 1 ? 1000000000 : i;
	}
	ioctl(-1, PTP_SYS_OFFSET, off);

	struct ptp_sys_offset_extended *ext = tail(sizeof *ext);
	ext->n_samples = 2;
	ext->ts[1][2].sec = -1;
	ext->ts[1][2].reserved = 3;
	ioctl(-1, PTP_SYS_OFFSET_EXTENDED2, ext);

	struct ptp_sys_offset_precise *precise = tail(sizeof *precise);
	precise->device.sec = 86400;
	precise->sys_monoraw.sec = 12;
	precise->rsv[0] = 2;
	ioctl(-1, PTP_SYS_OFFSET_PRECISE, precise);

	struct ptp_pin_desc *pin = tail(sizeof *pin);
	memset(pin->name, 'p', sizeof pin->name); /* no NUL */
	pin->index = 4;
	pin->func = PTP_PF_PEROUT;
	pin->rsv[4] = 1;
	ioctl(-1, PTP_PIN_GETFUNC2, pin);
	pin->func = 9;
	ioctl(-1, PTP_PIN_SETFUNC2, pin);
	ioctl(-1, PTP_PIN_SETFUNC, pin);
}

static void gpio(void)
{
	struct gpiochip_info *chip = tail(sizeof *chip);
	strcpy(chip->name, "gpiochip0");
	chip->lines = 8;
	ioctl(-1, GPIO_GET_CHIPINFO_IOCTL, chip);

	struct gpioline_info *info = tail(sizeof *info);
	info->line_offset = 3;
	info->flags = GPIOLINE_FLAG_IS_OUT | 0x1000;
	strcpy(info->consumer, "me");
	ioctl(-1, GPIO_GET_LINEINFO_IOCTL, info);
	ioctl(-1, GPIO_GET_LINEINFO_WATCH_IOCTL, (char *) info + 1);

	struct gpiohandle_request *handle = tail(sizeof *handle);
	handle->lines = 40; /* more than -s */
	for (int i = 0; i < GPIOHANDLES_MAX; i++) {
		handle->lineoffsets[i] = i;
		handle->default_values[i] = i & 1;
	}
	handle->flags = GPIOHANDLE_REQUEST_OUTPUT;
	handle->fd = 7;
	ioctl(-1, GPIO_GET_LINEHANDLE_IOCTL, handle);

	struct gpioevent_request *event = tail(sizeof *event);
	event->eventflags = GPIOEVENT_REQUEST_RISING_EDGE | 8;
	event->fd = 9;
	ioctl(-1, GPIO_GET_LINEEVENT_IOCTL, event);

	struct gpiohandle_data *data = tail(sizeof *data);
	data->values[1] = 1;
	ioctl(-1, GPIOHANDLE_GET_LINE_VALUES_IOCTL, data);

	struct gpio_v2_line_info *v2info = tail(sizeof *v2info);
	v2info->offset = 2;
	v2info->num_attrs = 4;
	v2info->attrs[0].id = GPIO_V2_LINE_ATTR_ID_FLAGS;
	v2info->attrs[0].flags = GPIO_V2_LINE_FLAG_INPUT;
	v2info->attrs[1].id = GPIO_V2_LINE_ATTR_ID_DEBOUNCE;
	v2info->attrs[1].debounce_period_us = 10;
	v2info->attrs[2].id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
	v2info->attrs[2].padding = 1; /* printed raw */
	v2info->attrs[3].id = 77;
	v2info->padding[3] = 5;
	ioctl(-1, GPIO_V2_GET_LINEINFO_IOCTL, v2info);

	struct gpio_v2_line_request *req = tail(sizeof *req);
	req->num_lines = 2;
	req->offsets[1] = 1;
	strcpy(req->consumer, "req");
	req->config.flags = GPIO_V2_LINE_FLAG_OUTPUT;
	req->config.num_attrs = 1;
	req->config.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
	req->config.attrs[0].attr.values = 3;
	req->config.attrs[0].mask = 3;
	req->event_buffer_size = 16;
	req->fd = 11;
	ioctl(-1, GPIO_V2_GET_LINE_IOCTL, req);

	struct gpio_v2_line_values *values = tail(sizeof *values);
	values->bits = 1;
	values->mask = 0xf;
	ioctl(-1, GPIO_V2_LINE_GET_VALUES_IOCTL, values);
	ioctl(-1, GPIO_V2_LINE_SET_VALUES_IOCTL, values);
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pages + page, page);
	page_end = pages + page;
	write(-1, "start", 5);
	ptp();
	gpio();
	return 0;
}
