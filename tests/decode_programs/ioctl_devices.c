/*
 * Device ioctls without the device: PTP clocks ('='), GPIO chips (0xb4) and virtual
 * consoles ('K', with the unicode pairs, fonts and font names behind a second pointer)
 * and Video4Linux2 ('V', with an overlay's clips and extended controls behind theirs)
 * on fd -1,
 * for the comparison with strace (tests/test_decode_ioctl_devices.py), once failing
 * with EBADF (only what the program passed is shown) and once with every ioctl made
 * to succeed (`-e inject=ioctl:retval=42`: what the kernel would have filled in too).
 * Structures at the very end of a mapping, flags with unknown bits, arrays longer
 * than -s, dates of clock samples and v2 line attributes printed raw.
 * Everything after the `write(-1, "start", 5)` marker is compared line by line.
 */
#include <linux/gpio.h>
#include <linux/kd.h>
#include <linux/keyboard.h>
#include <linux/ptp_clock.h>
#include <linux/videodev2.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static unsigned char *page_end, *far_end;

/* `size` bytes ending where the mapping ends, zeroed. */
static void *tail(size_t size)
{
	memset(page_end - size, 0, size);
	return page_end - size;
}

/* The same in a second mapping: what a structure there points to. */
static void *far(size_t size)
{
	memset(far_end - size, 0, size);
	return far_end - size;
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

static void kd(void)
{
	ioctl(-1, KIOCSOUND, 0);
	ioctl(-1, KIOCSOUND, 440);
	ioctl(-1, KIOCSOUND, 0xbadc0ded00000a96UL);
	ioctl(-1, KDMKTONE, 0x10001);
	ioctl(-1, KDMKTONE, 440);
	ioctl(-1, KDSETLED, 0xfe);
	ioctl(-1, KDSKBLED, 0x71);
	ioctl(-1, KDADDIO, 0x3c0);
	ioctl(-1, KDDELIO, 0x3e0);
	ioctl(-1, KDENABIO, 7);
	ioctl(-1, KDSETMODE, 9);
	ioctl(-1, KDSKBMODE, 0xfeeddead);
	ioctl(-1, KDSKBMETA, K_METABIT);
	ioctl(-1, KDSIGACCEPT, 33);
	ioctl(-1, KDSIGACCEPT, -1L);

	unsigned char *leds = tail(1);
	*leds = 0x85;
	ioctl(-1, KDGETLED, leds);
	ioctl(-1, KDGKBLED, leds);
	ioctl(-1, KDGKBTYPE, leds);
	int *mode = tail(4);
	*mode = -1;
	ioctl(-1, KDGKBMODE, mode);
	ioctl(-1, KDGETMODE, mode);

	struct kbentry *ent = tail(sizeof *ent);
	ent->kb_table = 0x21;
	ent->kb_index = 9;
	static const unsigned short keys[] = {0x27e, 0x41b, 0x85c, 0xf00d, 0x90a};
	for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		ent->kb_value = keys[i];
		ioctl(-1, i & 1 ? KDGKBENT : KDSKBENT, ent);
	}
	ioctl(-1, KDSKBENT, (char *) ent + 2); /* kb_value unreadable */

	struct kbsentry *sent = tail(sizeof *sent);
	sent->kb_func = 25;
	strcpy((char *) sent->kb_string, "\33[6~");
	ioctl(-1, KDSKBSENT, sent);
	memset(sent->kb_string, 'x', sizeof sent->kb_string);
	ioctl(-1, KDGKBSENT, sent);
	ioctl(-1, KDSKBSENT, (char *) sent + 100); /* runs off the mapping */

	struct kbdiacrs *acc = tail(sizeof *acc);
	acc->kb_cnt = 300; /* more than the kernel's table */
	for (int i = 0; i < 256; i++) {
		acc->kbdiacr[i].diacr = '`';
		acc->kbdiacr[i].base = i;
		acc->kbdiacr[i].result = '\n';
	}
	ioctl(-1, KDGKBDIACR, acc);
	acc->kb_cnt = 2;
	ioctl(-1, KDSKBDIACR, acc);
	struct kbdiacrsuc *acc_uc = tail(sizeof *acc_uc);
	acc_uc->kb_cnt = 2;
	acc_uc->kbdiacruc[1].result = 0x1e9e;
	ioctl(-1, KDSKBDIACRUC, acc_uc);

	struct kbkeycode *kc = tail(sizeof *kc);
	kc->scancode = 0xe01d;
	kc->keycode = 97;
	ioctl(-1, KDGETKEYCODE, kc);
	ioctl(-1, KDSETKEYCODE, kc);
	struct kbd_repeat *rep = tail(sizeof *rep);
	rep->delay = 250;
	rep->period = -1;
	ioctl(-1, KDKBDREP, rep);

	unsigned char *map = tail(100);
	for (int i = 0; i < 100; i++)
		map[i] = 0x80 + i;
	ioctl(-1, PIO_SCRNMAP, map);
	ioctl(-1, GIO_SCRNMAP, map + 68); /* 32 bytes left: not enough */
	ioctl(-1, PIO_FONT, map + 67);
	ioctl(-1, PIO_CMAP, map);
	unsigned short *unimap = tail(64);
	for (int i = 0; i < 32; i++)
		unimap[i] = 0xf000 + 17 * i;
	ioctl(-1, PIO_UNISCRNMAP, unimap); /* the mapping ends first */
	ioctl(-1, GIO_UNISCRNMAP, unimap);

	struct unimapinit *clr = tail(sizeof *clr);
	clr->advised_hashsize = 256;
	ioctl(-1, PIO_UNIMAPCLR, clr);
	struct unimapdesc *desc = tail(sizeof *desc);
	desc->entries = (struct unipair *) unimap;
	ioctl(-1, PIO_UNIMAP, desc);
	/* unicode pairs behind the pointer: more than -s, then running off the mapping */
	struct unipair *pairs = far(40 * sizeof *pairs);
	for (int i = 0; i < 40; i++) {
		pairs[i].unicode = 0x2500 + i;
		pairs[i].fontpos = i;
	}
	desc->entries = pairs;
	desc->entry_ct = 40;
	ioctl(-1, PIO_UNIMAP, desc);
	ioctl(-1, GIO_UNIMAP, desc); /* read back even when it fails */
	desc->entry_ct = 3;
	ioctl(-1, PIO_UNIMAP, desc);
	ioctl(-1, GIO_UNIMAP, desc);
	desc->entries = pairs + 38;
	ioctl(-1, PIO_UNIMAP, desc);
	ioctl(-1, GIO_UNIMAP, desc);
	desc->entry_ct = 0;
	ioctl(-1, GIO_UNIMAP, desc);
	struct consolefontdesc *fontx = tail(sizeof *fontx);
	fontx->charcount = 256;
	fontx->charheight = 16;
	ioctl(-1, GIO_FONTX, fontx);
	ioctl(-1, PIO_FONTX, fontx);
	unsigned char *glyphs = far(64);
	for (int i = 0; i < 64; i++)
		glyphs[i] = 0xc0 + i;
	fontx->chardata = (char *) glyphs;
	ioctl(-1, GIO_FONTX, fontx);
	ioctl(-1, PIO_FONTX, fontx);
	fontx->charcount = 1;
	fontx->chardata = (char *) glyphs + 40; /* 24 bytes before the end: not enough */
	ioctl(-1, PIO_FONTX, fontx);
	struct console_font_op *op = tail(sizeof *op);
	op->op = KD_FONT_OP_COPY;
	op->height = 8;
	ioctl(-1, KDFONTOP, op);
	op->op = KD_FONT_OP_SET_DEFAULT;
	ioctl(-1, KDFONTOP, op);
	op->op = KD_FONT_OP_GET;
	op->flags = KD_FONT_FLAG_DONT_RECALC | 2;
	ioctl(-1, KDFONTOP, op);
	op->op = 7;
	ioctl(-1, KDFONTOP, op);
	op->width = 9; /* two bytes a row */
	op->charcount = 1;
	op->data = glyphs;
	op->op = KD_FONT_OP_GET;
	ioctl(-1, KDFONTOP, op);
	op->op = KD_FONT_OP_SET;
	ioctl(-1, KDFONTOP, op);
	/* a default font's name: 31 bytes and the NUL, 32 without, one at the very end */
	char *name = far(32);
	memcpy(name, "\1\2tab\there\\\"q\377zzzzzzzzzzzzzzzzz", 31);
	name[31] = '\0';
	op->op = KD_FONT_OP_SET_DEFAULT;
	op->data = (unsigned char *) name;
	ioctl(-1, KDFONTOP, op);
	name[31] = 'y';
	ioctl(-1, KDFONTOP, op);
	op->data = (unsigned char *) name + 31;
	ioctl(-1, KDFONTOP, op);
	name[31] = '\0';
	ioctl(-1, KDFONTOP, op);
}

static void v4l2(void)
{
	struct v4l2_capability *caps = tail(sizeof *caps);
	memcpy(caps->driver, "vivid", 6);
	memset(caps->card, 'c', sizeof caps->card); /* no NUL: cut with ... */
	caps->version = 0x060102;
	caps->capabilities = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING | 0x40000000;
	caps->device_caps = V4L2_CAP_VIDEO_CAPTURE;
	ioctl(-1, VIDIOC_QUERYCAP, caps);

	struct v4l2_fmtdesc *desc = tail(sizeof *desc);
	desc->index = 2;
	desc->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	desc->flags = V4L2_FMT_FLAG_COMPRESSED | 0x8000;
	memcpy(desc->description, "Motion-JPEG", 12);
	desc->pixelformat = V4L2_PIX_FMT_MJPEG;
	ioctl(-1, VIDIOC_ENUM_FMT, desc);

	struct v4l2_format *f = tail(sizeof *f);
	f->type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	f->fmt.pix.width = 640;
	f->fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f->fmt.pix.field = V4L2_FIELD_INTERLACED;
	f->fmt.pix.colorspace = 77;
	ioctl(-1, VIDIOC_S_FMT, f);
	ioctl(-1, VIDIOC_G_FMT, f);
	f->type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	f->fmt.pix_mp.pixelformat = v4l2_fourcc('\'', '\\', 'a', 0xfe);
	f->fmt.pix_mp.num_planes = 2;
	f->fmt.pix_mp.plane_fmt[1].sizeimage = 4096;
	ioctl(-1, VIDIOC_TRY_FMT, f);
	/* an overlay's clips behind a pointer: both read, then the third runs off */
	struct v4l2_clip *clips = far(2 * sizeof *clips);
	clips[0].c.left = -5;
	clips[1].c.width = 320;
	memset(f, 0, sizeof *f);
	f->type = V4L2_BUF_TYPE_VIDEO_OVERLAY;
	f->fmt.win.chromakey = 0xff00;
	f->fmt.win.clips = clips;
	f->fmt.win.clipcount = 2;
	f->fmt.win.global_alpha = 0x80;
	ioctl(-1, VIDIOC_S_FMT, f);
	ioctl(-1, VIDIOC_G_FMT, f);
	f->fmt.win.clipcount = 3;
	ioctl(-1, VIDIOC_S_FMT, f);
	f->fmt.win.clipcount = 0;
	ioctl(-1, VIDIOC_S_FMT, f);
	memset(f, 0, sizeof *f); /* no address left in the union */
	f->type = V4L2_BUF_TYPE_SLICED_VBI_CAPTURE;
	f->fmt.sliced.service_set = V4L2_SLICED_VPS | 0x8000;
	f->fmt.sliced.service_lines[1][23] = 0xbeef;
	ioctl(-1, VIDIOC_S_FMT, f);
	f->type = V4L2_BUF_TYPE_VBI_OUTPUT;
	f->fmt.vbi.start[1] = -3;
	ioctl(-1, VIDIOC_S_FMT, f);
	f->type = V4L2_BUF_TYPE_SDR_CAPTURE;
	f->fmt.sdr.pixelformat = V4L2_SDR_FMT_CU8;
	ioctl(-1, VIDIOC_S_FMT, f);
	f->type = V4L2_BUF_TYPE_META_OUTPUT;
	ioctl(-1, VIDIOC_S_FMT, f);
	f->type = 0xbad;
	ioctl(-1, VIDIOC_S_FMT, f);

	struct v4l2_requestbuffers *req = tail(sizeof *req);
	req->count = 4;
	req->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req->memory = V4L2_MEMORY_USERPTR;
	ioctl(-1, VIDIOC_REQBUFS, req);
	struct v4l2_buffer *buf = tail(sizeof *buf);
	buf->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	buf->index = 1;
	buf->memory = V4L2_MEMORY_MMAP;
	buf->m.offset = 0x1000;
	buf->flags = V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | 0x100000;
	ioctl(-1, VIDIOC_QUERYBUF, buf);
	buf->memory = V4L2_MEMORY_USERPTR;
	buf->m.userptr = 0xdeadbeef;
	buf->timestamp.tv_sec = 1;
	ioctl(-1, VIDIOC_DQBUF, buf);

	struct v4l2_framebuffer *fb = tail(sizeof *fb);
	fb->capability = V4L2_FBUF_CAP_EXTERNOVERLAY;
	ioctl(-1, VIDIOC_G_FBUF, fb);
	ioctl(-1, VIDIOC_S_FBUF, fb);
	int *type = tail(sizeof *type);
	*type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	ioctl(-1, VIDIOC_STREAMON, type);
	struct v4l2_streamparm *parm = tail(sizeof *parm);
	parm->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	parm->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
	parm->parm.capture.timeperframe.numerator = 1;
	parm->parm.capture.timeperframe.denominator = 30;
	ioctl(-1, VIDIOC_S_PARM, parm);
	ioctl(-1, VIDIOC_G_PARM, parm);
	parm->type = V4L2_BUF_TYPE_VBI_CAPTURE;
	ioctl(-1, VIDIOC_S_PARM, parm);
	v4l2_std_id *std = tail(sizeof *std);
	*std = V4L2_STD_PAL;
	ioctl(-1, VIDIOC_S_STD, std);
	ioctl(-1, VIDIOC_G_STD, std);
	struct v4l2_standard *standard = tail(sizeof *standard);
	memcpy(standard->name, "PAL", 4);
	standard->frameperiod.numerator = 1;
	ioctl(-1, VIDIOC_ENUMSTD, standard);
	struct v4l2_input *input = tail(sizeof *input);
	input->type = V4L2_INPUT_TYPE_CAMERA;
	ioctl(-1, VIDIOC_ENUMINPUT, input);
	ioctl(-1, VIDIOC_G_INPUT, type);

	struct v4l2_control *ctrl = tail(sizeof *ctrl);
	static const unsigned int ids[] = {V4L2_CID_BRIGHTNESS, V4L2_CID_CAMERA_CLASS_BASE + 0x77,
					   0x12345678};
	for (int i = 0; i < 3; i++) {
		ctrl->id = ids[i];
		ctrl->value = -i;
		ioctl(-1, i & 1 ? VIDIOC_G_CTRL : VIDIOC_S_CTRL, ctrl);
	}
	struct v4l2_tuner *tuner = tail(sizeof *tuner);
	memcpy(tuner->name, "FM", 3);
	tuner->type = V4L2_TUNER_RADIO;
	tuner->capability = V4L2_TUNER_CAP_STEREO;
	tuner->signal = -1;
	ioctl(-1, VIDIOC_S_TUNER, tuner);
	ioctl(-1, VIDIOC_G_TUNER, tuner);
	struct v4l2_queryctrl *query = tail(sizeof *query);
	query->id = V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CID_CONTRAST;
	query->type = V4L2_CTRL_TYPE_INTEGER;
	query->maximum = 255;
	query->reserved[1] = 9;
	ioctl(-1, VIDIOC_QUERYCTRL, query);
	struct v4l2_query_ext_ctrl *xquery = tail(sizeof *xquery);
	xquery->id = V4L2_CID_HUE;
	xquery->nr_of_dims = 2;
	xquery->dims[0] = 3;
	ioctl(-1, VIDIOC_QUERY_EXT_CTRL, xquery);
	struct v4l2_cropcap *cropcap = tail(sizeof *cropcap);
	cropcap->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	cropcap->bounds.left = -1;
	ioctl(-1, VIDIOC_CROPCAP, cropcap);
	struct v4l2_crop *crop = tail(sizeof *crop);
	crop->c.height = 480;
	ioctl(-1, VIDIOC_S_CROP, crop);
	ioctl(-1, VIDIOC_G_CROP, crop);

	/* extended controls behind a pointer, a string value behind another */
	static char text[] = "\1\2abc";
	struct v4l2_ext_control *ext = far(2 * sizeof *ext);
	ext[0].id = V4L2_CID_SATURATION;
	ext[0].value64 = -2;
	ext[1].id = V4L2_CID_AUDIO_VOLUME;
	ext[1].size = sizeof text;
	ext[1].string = text;
	struct v4l2_ext_controls *ctrls = tail(sizeof *ctrls);
	ctrls->ctrl_class = V4L2_CTRL_CLASS_USER;
	ctrls->count = 2;
	ctrls->error_idx = 1;
	ctrls->controls = ext;
	ioctl(-1, VIDIOC_S_EXT_CTRLS, ctrls);
	ioctl(-1, VIDIOC_G_EXT_CTRLS, ctrls);
	ctrls->count = 3; /* the third runs off the mapping */
	ioctl(-1, VIDIOC_TRY_EXT_CTRLS, ctrls);
	ctrls->count = 0;
	ioctl(-1, VIDIOC_S_EXT_CTRLS, ctrls);

	struct v4l2_frmsizeenum *size = tail(sizeof *size);
	size->pixel_format = V4L2_PIX_FMT_RGB24;
	size->type = V4L2_FRMSIZE_TYPE_STEPWISE;
	size->stepwise.max_width = 1920;
	ioctl(-1, VIDIOC_ENUM_FRAMESIZES, size);
	struct v4l2_frmivalenum *ival = tail(sizeof *ival);
	ival->type = V4L2_FRMIVAL_TYPE_DISCRETE;
	ival->discrete.denominator = 25;
	ioctl(-1, VIDIOC_ENUM_FRAMEINTERVALS, ival);
	struct v4l2_create_buffers *create = tail(sizeof *create);
	create->index = 7;
	create->count = 2;
	create->memory = V4L2_MEMORY_MMAP;
	create->format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	ioctl(-1, VIDIOC_CREATE_BUFS, create);
	ioctl(-1, _IOR('V', 0xfe, int), type); /* not a request strace knows */
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pages + page, page);
	page_end = pages + page;
	unsigned char *far_pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(far_pages + page, page);
	far_end = far_pages + page;
	write(-1, "start", 5);
	ptp();
	gpio();
	kd();
	v4l2();
	return 0;
}
