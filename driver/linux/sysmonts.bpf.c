// SPDX-License-Identifier: GPL-2.0
/*
 * SysmonTs kernel sensor: CO-RE programs on tracepoints only (kprobes, fentry/fexit and BPF-LSM
 * are refused on the machines this runs on; shared/notes/linux-ebpf.md §2). Every program
 * builds its record in a per-CPU scratch buffer and copies it into the one ring buffer at its
 * real size. Record layouts come from records.h, generated from engine/src/sensor/linux/layout.ts.
 *
 * The engine drains the ring buffer on a timer, so records are submitted with
 * BPF_RB_NO_WAKEUP: a wake-up per record costs the traced process ~15 us here (notes §5c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "records.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define AT_FDCWD -100
#define AT_REMOVEDIR 0x200
#define AT_EMPTY_PATH 0x1000
#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)
#define NSEC_PER_SEC 1000000000ULL
/* A path-based utimes call's previous mtime is unknown (no tracepoint sees the inode before
 * it changes), so it counts as "set backwards" only when the new mtime is at least this far
 * before now: an explicit "now" computed a moment before the call stays quiet. */
#define FILE_TIME_PAST_MARGIN_SEC 2
#define S_IFMT 00170000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define PROT_EXEC 0x4
/* mmap returns an address, or -errno in the last page of the address space */
#define MMAP_FAILED(ret) ((unsigned long)(ret) > (unsigned long)-4096L)
#define PTRACE_ATTACH 16
#define PTRACE_SEIZE 0x4206
#define BPF_CMD_PROG_LOAD 5
#define BPF_CMD_PROG_ATTACH 8
#define DNS_PORT 53
/* A UDP flow is reported again after 30 minutes (spec/events.md §5.5). */
#define UDP_REPORT_INTERVAL_NS (30ULL * 60 * 1000000000ULL)

/* Walked paths are assembled backwards, ending at PATH_END, in a buffer twice that size so
 * that every masked offset plus a bounded length stays inside it (what the verifier checks). */
#define PATH_END 4096
#define PATH_MASK 4095
#define NAME_MASK 255

/* Written by the loader before load (bpf_map__initial_value on .rodata). */
const volatile struct sysmonts_config sysmonts_config = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYSMONTS_COUNTER_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Indexed by record kind; non-zero = produce. Written by Sensor.setEnabledEvents. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SYSMONTS_ENABLED_KINDS_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} enabled_kinds SEC(".maps");

struct record_scratch {
	__u8 data[SYSMONTS_SCRATCH_BYTES];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct record_scratch);
} record_scratch SEC(".maps");

struct path_scratch {
	char data[PATH_END * 2];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_scratch);
} path_scratch SEC(".maps");

/* Syscall arguments saved at sys_enter for the sys_exit program that needs them. */
enum pending_syscall { PENDING_UNLINK = 1, PENDING_UNLINKAT, PENDING_RMDIR, PENDING_PTRACE, PENDING_VM_READV,
		       PENDING_VM_WRITEV, PENDING_BPF, PENDING_SENDTO, PENDING_SENDMSG, PENDING_SENDMMSG,
		       PENDING_RECVFROM, PENDING_RECVMSG, PENDING_FILE_TIME, PENDING_WRITE, PENDING_WRITEV,
		       PENDING_READ, PENDING_MMAP };
struct pending_call {
	__u64 args[6];
	__u32 syscall;
	__u32 reserved;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct pending_call);
} pending_calls SEC(".maps");

/* TCP connect: the connecting task, remembered at SYN_SENT (process context) and used at
 * ESTABLISHED (softirq, where "current" is whoever was interrupted). */
struct actor {
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u32 reserved;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct actor);
} connecting SEC(".maps");

/* Processes that opened a TCP connection to port 53. Only their read/write/writev calls are
 * examined for DNS over TCP, so everyone else pays one hash lookup on these hot syscalls. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} dns_tcp_clients SEC(".maps");

struct udp_flow {
	__u16 family;
	__u16 local_port;
	__u16 remote_port;
	__u16 reserved;
	__u8 local_addr[16];
	__u8 remote_addr[16];
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct udp_flow);
	__type(value, __u64);
} udp_flows SEC(".maps");

static __always_inline void count(__u32 index)
{
	__u64 *value = bpf_map_lookup_elem(&counters, &index);
	if (value)
		*value += 1; /* per-CPU: no atomics needed */
}

static __always_inline __u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

static __always_inline bool kind_enabled(__u32 kind)
{
	__u32 *on = bpf_map_lookup_elem(&enabled_kinds, &kind);
	return on && *on;
}

/* The engine's own activity never produces records, or draining would feed itself. */
static __always_inline bool wanted(__u32 kind)
{
	return current_tgid() != sysmonts_config.self_tgid && kind_enabled(kind);
}

static __always_inline __u8 *scratch_record(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&record_scratch, &zero);
}

static __always_inline struct path_scratch *scratch_path(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&path_scratch, &zero);
}

static __always_inline void fill_header(struct sysmonts_header *header, __u16 kind)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	header->kind = kind;
	header->flags = 0;
	header->pid = pid_tgid >> 32;
	header->tid = (__u32)pid_tgid;
	header->uid = (__u32)bpf_get_current_uid_gid();
	header->time_ns = bpf_ktime_get_boot_ns();
}

static __always_inline void emit(__u8 *record, __u64 size)
{
	if (size > SYSMONTS_SCRATCH_BYTES)
		size = SYSMONTS_SCRATCH_BYTES;
	if (bpf_ringbuf_output(&events, record, size, BPF_RB_NO_WAKEUP) == 0)
		count(SYSMONTS_COUNTER_PRODUCED);
	else
		count(SYSMONTS_COUNTER_LOST_RING_BUFFER);
}

struct walk_state {
	struct path_scratch *scratch;
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u32 pos;
	__u32 complete;
};

/* One directory level; bpf_loop calls it, so the verifier checks it once instead of once per
 * level and path shape (an unrolled 64-level walk exceeds its complexity limit). */
static long walk_step(__u32 level, void *data)
{
	struct walk_state *state = data;
	struct path_scratch *scratch = state->scratch;
	struct dentry *dentry = state->dentry;
	struct vfsmount *vfsmnt = state->vfsmnt;
	struct mount *mnt = state->mnt;

	if (!scratch || !dentry)
		return 1;
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
	if (dentry == mnt_root) {
		struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (mnt_parent == mnt) {
			state->complete = 1;
			return 1;
		}
		state->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		state->mnt = mnt_parent;
		state->vfsmnt = (struct vfsmount *)((void *)mnt_parent + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	/* A root that is not its mount's root: a pseudo file such as a memfd. Its name still
	 * counts, as the kernel's d_path shows "/memfd:name". */
	bool detached_root = dentry == parent;
	__u32 len = BPF_CORE_READ(dentry, d_name.len) & NAME_MASK;
	const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
	__u32 pos = state->pos;
	/* keep room for the separator and a "+" marker: paths stay <= 4095 bytes */
	if (len + 3 > pos)
		return 1;
	pos -= len;
	bpf_probe_read_kernel(&scratch->data[pos & PATH_MASK], len, name);
	pos -= 1;
	scratch->data[pos & PATH_MASK] = '/';
	state->pos = pos;
	state->dentry = parent;
	if (detached_root) {
		state->complete = 1;
		return 1;
	}
	return 0;
}

/*
 * Absolute path of (dentry, vfsmount), walking d_parent up and crossing mount points, as
 * Sysmon for Linux does (linux-sensors.md §2; bpf_d_path is not allowed on tracepoints).
 * Returns the start of the path in scratch->data; it ends at PATH_END. When the walk gives up
 * (too deep, too long), the path is the deepest part prefixed with "+", i.e. "+/a/b", and
 * SYSMONTS_FLAG_PATH_PARTIAL is set.
 */
static __always_inline __u32 walk_path(struct path_scratch *scratch, struct dentry *dentry, struct vfsmount *vfsmnt,
				       __u16 *flags)
{
	struct walk_state state = {
		.scratch = scratch,
		.dentry = dentry,
		.vfsmnt = vfsmnt,
		.mnt = (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt)),
		.pos = PATH_END,
		.complete = 0,
	};
	bpf_loop(SYSMONTS_PATH_MAX_DEPTH, walk_step, &state, 0);
	__u32 pos = state.pos & (2 * PATH_END - 1);
	if (pos == PATH_END || pos > PATH_END) {
		pos = PATH_END - 1;
		scratch->data[pos & PATH_MASK] = '/';
	}
	if (!state.complete && pos > 0) {
		pos -= 1;
		scratch->data[pos & PATH_MASK] = '+';
		*flags |= SYSMONTS_FLAG_PATH_PARTIAL;
	}
	return pos;
}

/* Copies a walked path to dst; returns its length (1..4095). */
static __always_inline __u32 copy_walked(__u8 *dst, struct path_scratch *scratch, __u32 pos)
{
	__u32 len = (PATH_END - pos) & PATH_MASK;
	bpf_probe_read_kernel(dst, len, &scratch->data[pos & PATH_MASK]);
	return len;
}

static __always_inline struct file *file_of_fd(struct task_struct *task, long fd)
{
	struct fdtable *table = BPF_CORE_READ(task, files, fdt);
	unsigned int max_fds = BPF_CORE_READ(table, max_fds);
	struct file **fds = BPF_CORE_READ(table, fd);
	struct file *file = 0;

	if (fd < 0 || (unsigned long)fd >= max_fds)
		return 0;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

static __always_inline struct sock *sock_of_file(struct file *file)
{
	if (!file)
		return 0;
	struct socket *socket = BPF_CORE_READ(file, private_data);
	umode_t mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != 0140000 /* S_IFSOCK */ || !socket)
		return 0;
	return BPF_CORE_READ(socket, sk);
}

/* ---------------------------------------------------------------- process create / exit */

SEC("tracepoint/sched/sched_process_exec")
int sysmonts_exec(void *ctx)
{
	if (!wanted(SYSMONTS_KIND_EXEC))
		return 0;
	__u8 *base = scratch_record();
	struct path_scratch *paths = scratch_path();
	if (!base || !paths)
		return 0;
	struct sysmonts_exec_record *record = (void *)base;
	__u8 *tail = base + sizeof(*record);
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);

	fill_header(&record->header, SYSMONTS_KIND_EXEC);
	record->parent_pid = BPF_CORE_READ(task, real_parent, tgid);
	record->session_id = bpf_core_field_exists(task->sessionid) ? BPF_CORE_READ(task, sessionid) : (__u32)-1;
	record->login_uid = bpf_core_field_exists(task->loginuid) ? BPF_CORE_READ(task, loginuid.val) : (__u32)-1;
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	record->tty_index = tty ? BPF_CORE_READ(tty, index) : -1;
	/* start_boottime is what /proc/<pid>/stat field 22 shows, so /proc-seeded and
	 * sensor-seen processes get the same ProcessGuid seconds (spec/events.md §5.3). */
	record->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	record->process_key = BPF_CORE_READ(mm, end_code);

	struct file *exe = BPF_CORE_READ(mm, exe_file);
	/* Running an image that has no name in the file system any more (memfd_create, or a file
	 * deleted after open) is what fileless loaders do: event 25 on Linux. */
	struct dentry *exe_dentry = BPF_CORE_READ(exe, f_path.dentry);
	if (!BPF_CORE_READ(exe_dentry, d_hash.pprev) || BPF_CORE_READ(exe, f_inode, __i_nlink) == 0)
		record->header.flags |= SYSMONTS_FLAG_IMAGE_UNLINKED;
	__u32 pos = walk_path(paths, BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt),
			      &record->header.flags);
	__u32 image_len = copy_walked(tail, paths, pos);

	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	pos = walk_path(paths, BPF_CORE_READ(fs, pwd.dentry), BPF_CORE_READ(fs, pwd.mnt), &record->header.flags);
	__u32 cwd_len = copy_walked(tail + (image_len & PATH_MASK), paths, pos);

	/* argv is read from the new mm here, not at sys_enter_execve where the strings may not be
	 * faulted in yet (notes §8.1); exactly arg_end - arg_start bytes, as probe reads are
	 * all-or-nothing (notes §8.2). */
	__u32 argv_offset = (image_len + cwd_len) & (2 * PATH_END - 1);
	unsigned long arg_start = BPF_CORE_READ(mm, arg_start);
	unsigned long arg_end = BPF_CORE_READ(mm, arg_end);
	__u64 argv_len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (argv_len > SYSMONTS_ARGV_MAX_BYTES) {
		argv_len = SYSMONTS_ARGV_MAX_BYTES;
		record->header.flags |= SYSMONTS_FLAG_ARGV_TRUNCATED;
	}
	if (argv_len > 0 && bpf_probe_read_user(tail + argv_offset, argv_len, (void *)arg_start) != 0)
		argv_len = 0;

	record->image_len = image_len;
	record->cwd_len = cwd_len;
	record->argv_len = argv_len;
	emit(base, sizeof(*record) + argv_offset + argv_len);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int sysmonts_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	/* The tracepoint fires per thread; report the process once, when its last thread goes. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0 || !wanted(SYSMONTS_KIND_EXIT))
		return 0;
	__u8 *base = scratch_record();
	if (!base)
		return 0;
	struct sysmonts_exit_record *record = (void *)base;
	fill_header(&record->header, SYSMONTS_KIND_EXIT);
	record->exit_status = BPF_CORE_READ(task, exit_code);
	record->reserved = 0;
	record->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	record->process_key = mm ? BPF_CORE_READ(mm, end_code) : 0;
	emit(base, sizeof(*record));
	return 0;
}

/* ---------------------------------------------------------------- network */

static __always_inline bool fill_tuple_from_sock(struct sysmonts_network_record *record, struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__builtin_memset(record->local_addr, 0, sizeof(record->local_addr));
	__builtin_memset(record->remote_addr, 0, sizeof(record->remote_addr));
	record->family = family;
	record->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	record->remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		__u32 local = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 remote = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(record->local_addr, &local, 4);
		__builtin_memcpy(record->remote_addr, &remote, 4);
		return true;
	}
	if (family == AF_INET6) {
		BPF_CORE_READ_INTO(&record->local_addr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&record->remote_addr, sk, __sk_common.skc_v6_daddr);
		return true;
	}
	return false;
}

SEC("tracepoint/sock/inet_sock_set_state")
int sysmonts_tcp_state(struct trace_event_raw_inet_sock_set_state *raw)
{
	/* Copied to the stack: clang merges the address copies into accesses through a modified
	 * ctx pointer, which the verifier rejects (notes §3). */
	struct trace_event_raw_inet_sock_set_state state;
	bpf_probe_read_kernel(&state, sizeof(state), raw);
	if (state.protocol != IPPROTO_TCP)
		return 0;
	__u64 sk = (__u64)state.skaddr;

	if (state.newstate == TCP_SYN_SENT) {
		/* connect() runs this in the caller's context */
		if (state.dport == DNS_PORT && wanted(SYSMONTS_KIND_DNS)) {
			__u32 tgid = current_tgid();
			__u8 one = 1;
			bpf_map_update_elem(&dns_tcp_clients, &tgid, &one, BPF_ANY);
		}
		if (!wanted(SYSMONTS_KIND_NETWORK))
			return 0;
		__u64 pid_tgid = bpf_get_current_pid_tgid();
		struct actor actor = { .pid = pid_tgid >> 32, .tid = (__u32)pid_tgid,
				       .uid = (__u32)bpf_get_current_uid_gid() };
		bpf_map_update_elem(&connecting, &sk, &actor, BPF_ANY);
		return 0;
	}
	if (state.oldstate == TCP_SYN_SENT && state.newstate == TCP_ESTABLISHED) {
		struct actor *actor = bpf_map_lookup_elem(&connecting, &sk);
		__u8 *base = scratch_record();
		if (!actor || !base)
			return 0;
		struct sysmonts_network_record *record = (void *)base;
		fill_header(&record->header, SYSMONTS_KIND_NETWORK);
		record->header.pid = actor->pid;
		record->header.tid = actor->tid;
		record->header.uid = actor->uid;
		bpf_map_delete_elem(&connecting, &sk);
		record->protocol = IPPROTO_TCP;
		record->outbound = 1;
		record->family = state.family;
		record->local_port = state.sport;
		record->remote_port = state.dport;
		__builtin_memset(record->local_addr, 0, sizeof(record->local_addr));
		__builtin_memset(record->remote_addr, 0, sizeof(record->remote_addr));
		if (state.family == AF_INET) {
			__builtin_memcpy(record->local_addr, state.saddr, 4);
			__builtin_memcpy(record->remote_addr, state.daddr, 4);
		} else {
			__builtin_memcpy(record->local_addr, state.saddr_v6, 16);
			__builtin_memcpy(record->remote_addr, state.daddr_v6, 16);
		}
		emit(base, sizeof(*record));
		return 0;
	}
	if (state.newstate == TCP_CLOSE)
		bpf_map_delete_elem(&connecting, &sk);
	return 0;
}

/* Inbound TCP: the accepting process and the full 4-tuple come from the returned fd's socket,
 * in process context, so no join with SYN_RECV->ESTABLISHED is needed (unlike Sysmon, §5.5). */
static __always_inline int on_accept_exit(long ret)
{
	if (ret < 0 || !wanted(SYSMONTS_KIND_NETWORK))
		return 0;
	__u8 *base = scratch_record();
	if (!base)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct sock *sk = sock_of_file(file_of_fd(task, ret));
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	struct sysmonts_network_record *record = (void *)base;
	fill_header(&record->header, SYSMONTS_KIND_NETWORK);
	record->protocol = IPPROTO_TCP;
	record->outbound = 0;
	if (!fill_tuple_from_sock(record, sk))
		return 0;
	emit(base, sizeof(*record));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int sysmonts_accept4_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int sysmonts_accept_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_exit(ctx->ret);
}

static __always_inline void save_call(struct trace_event_raw_sys_enter *ctx, __u32 syscall)
{
	struct pending_call call = { .syscall = syscall };
	__u64 key = bpf_get_current_pid_tgid();
	/* one helper copy: element-wise loads through ctx + offset are rejected by the verifier */
	bpf_probe_read_kernel(call.args, sizeof(call.args), (void *)ctx + __builtin_offsetof(struct trace_event_raw_sys_enter, args));
	bpf_map_update_elem(&pending_calls, &key, &call, BPF_ANY);
}

/* Takes the saved arguments of this thread's current syscall, if they were saved. */
static __always_inline bool take_call(struct pending_call *out)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct pending_call *call = bpf_map_lookup_elem(&pending_calls, &key);
	if (!call)
		return false;
	__builtin_memcpy(out, call, sizeof(*out));
	bpf_map_delete_elem(&pending_calls, &key);
	return true;
}

/* Reads a user sockaddr_in/sockaddr_in6 as the remote end; false when it is neither. */
static __always_inline bool read_user_sockaddr(struct sysmonts_network_record *record, const void *addr)
{
	__u16 family = 0;
	__be16 port = 0;
	if (!addr || bpf_probe_read_user(&family, sizeof(family), addr) != 0)
		return false;
	bpf_probe_read_user(&port, sizeof(port), addr + 2);
	if (family == AF_INET)
		bpf_probe_read_user(record->remote_addr, 4, addr + 4);
	else if (family == AF_INET6)
		bpf_probe_read_user(record->remote_addr, 16, addr + 8);
	else
		return false;
	record->remote_port = bpf_ntohs(port);
	return true;
}

/* Segment `index` of a send/recv/read/write call's user buffer: its pointer, and its length in *len. */
static __always_inline const void *segment_of(struct pending_call *call, __u32 index, __u64 *len)
{
	const struct iovec *vector;
	__u64 segments;
	switch (call->syscall) {
	case PENDING_SENDTO:
	case PENDING_RECVFROM:
	case PENDING_WRITE:
	case PENDING_READ:
		if (index != 0)
			return 0;
		*len = call->args[2];
		return (const void *)call->args[1];
	case PENDING_WRITEV:
		vector = (const struct iovec *)call->args[1];
		segments = call->args[2];
		break;
	default: {
		/* sendmsg/recvmsg: a user_msghdr; sendmmsg: an mmsghdr, whose first member is one. */
		struct user_msghdr header = {};
		bpf_probe_read_user(&header, sizeof(header), (const void *)call->args[1]);
		vector = header.msg_iov;
		segments = header.msg_iovlen;
	}
	}
	struct iovec segment = {};
	if (!vector || index >= segments || bpf_probe_read_user(&segment, sizeof(segment), vector + index) != 0)
		return 0;
	*len = segment.iov_len;
	return segment.iov_base;
}

static __always_inline const void *user_name_of(struct pending_call *call)
{
	if (call->syscall == PENDING_SENDTO || call->syscall == PENDING_RECVFROM)
		return (const void *)call->args[4];
	struct user_msghdr header = {};
	bpf_probe_read_user(&header, sizeof(header), (const void *)call->args[1]);
	return header.msg_name;
}

/* One DNS payload record: a whole UDP message, or one segment of a TCP stream (user space
 * reassembles the 2-byte-length framing). The resolver's parsing is done in user space. */
static __always_inline void emit_dns(const void *payload, __u64 len, __u8 protocol, bool outgoing, __u32 stream)
{
	__u8 *base = scratch_record();
	if (!base)
		return;
	struct sysmonts_dns_record *record = (void *)base;
	fill_header(&record->header, SYSMONTS_KIND_DNS);
	record->protocol = protocol;
	record->outgoing = outgoing;
	record->reserved = 0;
	record->stream = stream;
	record->segment_len = len;
	if (len > SYSMONTS_DNS_MAX_BYTES) {
		len = SYSMONTS_DNS_MAX_BYTES;
		record->header.flags |= SYSMONTS_FLAG_DNS_TRUNCATED;
	}
	if (!payload || bpf_probe_read_user(base + sizeof(*record), len, payload) != 0)
		len = 0;
	record->message_len = len;
	emit(base, sizeof(*record) + len);
}

static __always_inline void emit_udp_dns(struct pending_call *call, long ret, bool outgoing)
{
	__u64 len = 0;
	const void *payload = segment_of(call, 0, &len);
	/* sendmmsg returns a message count, the others a byte count */
	if (call->syscall != PENDING_SENDMMSG && (__u64)ret < len)
		len = ret;
	emit_dns(payload, len, IPPROTO_UDP, outgoing, 0);
}

/* DNS over TCP: the `ret` bytes the call moved, segment by segment. Two segments cover the
 * resolvers' writev of [length, message] (glibc, libuv); a longer vector is cut, and the
 * reassembler in user space then drops that message rather than misframe the stream. */
static __always_inline void emit_tcp_dns(struct pending_call *call, long ret, bool outgoing, struct sock *sk)
{
	__u32 stream = (__u32)(__u64)sk ^ (__u32)((__u64)sk >> 32);
	__u64 remaining = ret;
	for (__u32 index = 0; index < 2 && remaining > 0; index++) {
		__u64 len = 0;
		const void *payload = segment_of(call, index, &len);
		if (!payload)
			return;
		if (len > remaining)
			len = remaining;
		emit_dns(payload, len, IPPROTO_TCP, outgoing, stream);
		remaining -= len;
	}
}

/* A TCP socket whose peer is port 53, or null. */
static __always_inline struct sock *dns_tcp_sock(struct sock *sk)
{
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	return BPF_CORE_READ(sk, __sk_common.skc_dport) == bpf_htons(DNS_PORT) ? sk : 0;
}

/* UDP send: one network record per flow and 30 minutes (spec/events.md §5.5); DNS payloads. */
static __always_inline int on_send_exit(long ret)
{
	struct pending_call call;
	if (ret < 0 || !take_call(&call))
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct sock *sk = sock_of_file(file_of_fd(task, call.args[0]));
	__u8 *base = scratch_record();
	if (!sk || !base)
		return 0;
	if (dns_tcp_sock(sk)) {
		if (kind_enabled(SYSMONTS_KIND_DNS))
			emit_tcp_dns(&call, ret, true, sk);
		return 0;
	}
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP)
		return 0;
	struct sysmonts_network_record *record = (void *)base;
	if (!fill_tuple_from_sock(record, sk))
		return 0;
	/* an unconnected socket: the destination is the one given to this call */
	if (record->remote_port == 0 && !read_user_sockaddr(record, user_name_of(&call)))
		return 0;

	if (record->remote_port == DNS_PORT && kind_enabled(SYSMONTS_KIND_DNS)) {
		emit_udp_dns(&call, ret, true);
		/* emit_udp_dns reused the scratch record: rebuild the tuple below */
		if (!fill_tuple_from_sock(record, sk))
			return 0;
		if (record->remote_port == 0 && !read_user_sockaddr(record, user_name_of(&call)))
			return 0;
	}
	if (!kind_enabled(SYSMONTS_KIND_NETWORK))
		return 0;

	struct udp_flow flow = { .family = record->family, .local_port = record->local_port,
				 .remote_port = record->remote_port };
	__builtin_memcpy(flow.local_addr, record->local_addr, 16);
	__builtin_memcpy(flow.remote_addr, record->remote_addr, 16);
	__u64 now = bpf_ktime_get_boot_ns();
	__u64 *last = bpf_map_lookup_elem(&udp_flows, &flow);
	if (last && now - *last < UDP_REPORT_INTERVAL_NS)
		return 0;
	bpf_map_update_elem(&udp_flows, &flow, &now, BPF_ANY);

	__u16 family = record->family;
	fill_header(&record->header, SYSMONTS_KIND_NETWORK);
	record->family = family;
	record->protocol = IPPROTO_UDP;
	record->outbound = 1;
	emit(base, sizeof(*record));
	return 0;
}

static __always_inline int on_send_enter(struct trace_event_raw_sys_enter *ctx, __u32 syscall)
{
	if (wanted(SYSMONTS_KIND_NETWORK) || wanted(SYSMONTS_KIND_DNS))
		save_call(ctx, syscall);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int sysmonts_sendto_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_send_enter(ctx, PENDING_SENDTO);
}
SEC("tracepoint/syscalls/sys_exit_sendto")
int sysmonts_sendto_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}
SEC("tracepoint/syscalls/sys_enter_sendmsg")
int sysmonts_sendmsg_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_send_enter(ctx, PENDING_SENDMSG);
}
SEC("tracepoint/syscalls/sys_exit_sendmsg")
int sysmonts_sendmsg_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}
SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int sysmonts_sendmmsg_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_send_enter(ctx, PENDING_SENDMMSG);
}
SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int sysmonts_sendmmsg_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}

/* DNS responses: recvfrom/recvmsg on a UDP or TCP socket whose peer port is 53. */
static __always_inline int on_recv_exit(long ret)
{
	struct pending_call call;
	if (ret <= 0 || !take_call(&call))
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct sock *sk = sock_of_file(file_of_fd(task, call.args[0]));
	__u8 *base = scratch_record();
	if (!sk || !base)
		return 0;
	if (dns_tcp_sock(sk)) {
		emit_tcp_dns(&call, ret, false, sk);
		return 0;
	}
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP)
		return 0;
	struct sysmonts_network_record *record = (void *)base;
	if (!fill_tuple_from_sock(record, sk))
		return 0;
	if (record->remote_port == 0 && !read_user_sockaddr(record, user_name_of(&call)))
		return 0;
	if (record->remote_port != DNS_PORT)
		return 0;
	emit_udp_dns(&call, ret, false);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int sysmonts_recvfrom_enter(struct trace_event_raw_sys_enter *ctx)
{
	if (wanted(SYSMONTS_KIND_DNS))
		save_call(ctx, PENDING_RECVFROM);
	return 0;
}
SEC("tracepoint/syscalls/sys_exit_recvfrom")
int sysmonts_recvfrom_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_recv_exit(ctx->ret);
}
SEC("tracepoint/syscalls/sys_enter_recvmsg")
int sysmonts_recvmsg_enter(struct trace_event_raw_sys_enter *ctx)
{
	if (wanted(SYSMONTS_KIND_DNS))
		save_call(ctx, PENDING_RECVMSG);
	return 0;
}
SEC("tracepoint/syscalls/sys_exit_recvmsg")
int sysmonts_recvmsg_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_recv_exit(ctx->ret);
}

/* read/write/writev: looked at only for processes that connected to TCP port 53. */
static __always_inline int on_stream_enter(struct trace_event_raw_sys_enter *ctx, __u32 syscall)
{
	__u32 tgid = current_tgid();
	if (bpf_map_lookup_elem(&dns_tcp_clients, &tgid) && wanted(SYSMONTS_KIND_DNS))
		save_call(ctx, syscall);
	return 0;
}

static __always_inline int on_stream_exit(long ret, bool outgoing)
{
	__u32 tgid = current_tgid();
	struct pending_call call;
	if (!bpf_map_lookup_elem(&dns_tcp_clients, &tgid) || !take_call(&call) || ret <= 0)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct sock *sk = dns_tcp_sock(sock_of_file(file_of_fd(task, call.args[0])));
	if (sk)
		emit_tcp_dns(&call, ret, outgoing, sk);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int sysmonts_write_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_stream_enter(ctx, PENDING_WRITE);
}
SEC("tracepoint/syscalls/sys_exit_write")
int sysmonts_write_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_stream_exit(ctx->ret, true);
}
SEC("tracepoint/syscalls/sys_enter_writev")
int sysmonts_writev_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_stream_enter(ctx, PENDING_WRITEV);
}
SEC("tracepoint/syscalls/sys_exit_writev")
int sysmonts_writev_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_stream_exit(ctx->ret, true);
}
SEC("tracepoint/syscalls/sys_enter_read")
int sysmonts_read_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_stream_enter(ctx, PENDING_READ);
}
SEC("tracepoint/syscalls/sys_exit_read")
int sysmonts_read_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_stream_exit(ctx->ret, false);
}

/* ---------------------------------------------------------------- images */

/* ImageLoad: a file mapped executable. The dynamic loader maps each library's text segment
 * this way (and the kernel maps the program and its interpreter itself at exec, which event 1
 * covers), so this is one record per library per process. */
SEC("tracepoint/syscalls/sys_enter_mmap")
int sysmonts_mmap_enter(struct trace_event_raw_sys_enter *ctx)
{
	if ((ctx->args[2] & PROT_EXEC) && (long)ctx->args[4] >= 0 && wanted(SYSMONTS_KIND_IMAGE_LOAD))
		save_call(ctx, PENDING_MMAP);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_mmap")
int sysmonts_mmap_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending_call call;
	if (!take_call(&call) || call.syscall != PENDING_MMAP || MMAP_FAILED(ctx->ret))
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *file = file_of_fd(task, call.args[4]);
	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFREG)
		return 0;
	__u8 *base = scratch_record();
	struct path_scratch *paths = scratch_path();
	if (!base || !paths)
		return 0;
	struct sysmonts_image_load_record *record = (void *)base;
	fill_header(&record->header, SYSMONTS_KIND_IMAGE_LOAD);
	__u32 pos = walk_path(paths, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt),
			      &record->header.flags);
	record->path_len = copy_walked(base + sizeof(*record), paths, pos);
	emit(base, sizeof(*record) + record->path_len);
	return 0;
}

/* ---------------------------------------------------------------- files */

/*
 * File create and raw block-device access, from the fd an open returned. "Created" is the
 * kernel's own FMODE_CREATED on the struct file, set only when this open made the inode: exact,
 * unlike Sysmon's timestamp heuristic (spec/events.md §5.9), and it also ignores creat() on an
 * existing file. The path is the opened file's, walked from its dentry.
 */
static __always_inline int on_open_exit(long ret)
{
	if (ret < 0 || current_tgid() == sysmonts_config.self_tgid)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *file = file_of_fd(task, ret);
	if (!file)
		return 0;
	umode_t mode = BPF_CORE_READ(file, f_inode, i_mode);
	__u16 kind;
	if ((mode & S_IFMT) == S_IFBLK)
		kind = SYSMONTS_KIND_RAW_ACCESS;
	else if ((mode & S_IFMT) == S_IFREG && (BPF_CORE_READ(file, f_mode) & sysmonts_config.fmode_created))
		kind = SYSMONTS_KIND_FILE_CREATE;
	else
		return 0;
	if (!kind_enabled(kind))
		return 0;
	__u8 *base = scratch_record();
	struct path_scratch *paths = scratch_path();
	if (!base || !paths)
		return 0;
	/* file_create, file_delete and raw_access share one layout: header, path_len, path */
	struct sysmonts_file_create_record *record = (void *)base;
	fill_header(&record->header, kind);
	__u32 pos = walk_path(paths, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt),
			      &record->header.flags);
	record->path_len = copy_walked(base + sizeof(*record), paths, pos);
	emit(base, sizeof(*record) + record->path_len);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int sysmonts_openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_open_exit(ctx->ret);
}
SEC("tracepoint/syscalls/sys_exit_openat2")
int sysmonts_openat2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_open_exit(ctx->ret);
}
SEC("tracepoint/syscalls/sys_exit_open")
int sysmonts_open_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_open_exit(ctx->ret);
}
SEC("tracepoint/syscalls/sys_exit_creat")
int sysmonts_creat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_open_exit(ctx->ret);
}

/*
 * A path named relative to a directory, as Sysmon builds it (spec/events.md §5.9): absolute as
 * given, else the cwd's or the dirfd's walked path + "/" + the name as given, not normalised.
 * Written to dst; returns its length, 0 when it cannot be built.
 */
static __always_inline __u32 join_at_path(__u8 *dst, struct path_scratch *paths, long dirfd, const char *name,
					  __u16 *flags)
{
	char first = 0;
	bpf_probe_read_user(&first, 1, name);
	__u32 base_len = 0;
	if (first != '/') {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		__u32 pos;
		if (dirfd == AT_FDCWD) {
			struct fs_struct *fs = BPF_CORE_READ(task, fs);
			pos = walk_path(paths, BPF_CORE_READ(fs, pwd.dentry), BPF_CORE_READ(fs, pwd.mnt), flags);
		} else {
			struct file *dir = file_of_fd(task, dirfd);
			if (!dir)
				return 0;
			pos = walk_path(paths, BPF_CORE_READ(dir, f_path.dentry), BPF_CORE_READ(dir, f_path.mnt), flags);
		}
		base_len = copy_walked(dst, paths, pos);
		/* "/" + "x" is "/x", not "//x" (linux-sensors.md §2) */
		if (base_len > 1) {
			dst[base_len & PATH_MASK] = '/';
			base_len += 1;
		}
	}
	long name_len = bpf_probe_read_user_str(dst + (base_len & PATH_MASK), PATH_END, name);
	if (name_len <= 0)
		return 0;
	return base_len + name_len - 1;
}

static __always_inline int on_delete_enter(struct trace_event_raw_sys_enter *ctx, __u32 syscall)
{
	if (wanted(SYSMONTS_KIND_FILE_DELETE))
		save_call(ctx, syscall);
	return 0;
}

/*
 * File delete: the name is gone after a successful unlink, so the path is rebuilt as Sysmon
 * does (spec/events.md §5.9): absolute as given, else the cwd or the dirfd's path + "/" + the
 * name as given, not normalised.
 */
static __always_inline int on_delete_exit(long ret)
{
	struct pending_call call;
	if (ret != 0 || !take_call(&call))
		return 0;
	__u8 *base = scratch_record();
	struct path_scratch *paths = scratch_path();
	if (!base || !paths)
		return 0;
	struct sysmonts_file_delete_record *record = (void *)base;
	__u8 *tail = base + sizeof(*record);
	fill_header(&record->header, SYSMONTS_KIND_FILE_DELETE);

	long dirfd = AT_FDCWD;
	const char *name = (const char *)call.args[0];
	if (call.syscall == PENDING_UNLINKAT) {
		dirfd = (long)(int)call.args[0];
		name = (const char *)call.args[1];
		if (call.args[2] & AT_REMOVEDIR)
			record->header.flags |= SYSMONTS_FLAG_DIRECTORY;
	} else if (call.syscall == PENDING_RMDIR) {
		record->header.flags |= SYSMONTS_FLAG_DIRECTORY;
	}

	record->path_len = join_at_path(tail, paths, dirfd, name, &record->header.flags);
	if (record->path_len == 0)
		return 0;
	emit(base, sizeof(*record) + (record->path_len & (2 * PATH_END - 1)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_unlink")
int sysmonts_unlink_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_delete_enter(ctx, PENDING_UNLINK);
}
SEC("tracepoint/syscalls/sys_exit_unlink")
int sysmonts_unlink_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_delete_exit(ctx->ret);
}
SEC("tracepoint/syscalls/sys_enter_unlinkat")
int sysmonts_unlinkat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_delete_enter(ctx, PENDING_UNLINKAT);
}
SEC("tracepoint/syscalls/sys_exit_unlinkat")
int sysmonts_unlinkat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_delete_exit(ctx->ret);
}
SEC("tracepoint/syscalls/sys_enter_rmdir")
int sysmonts_rmdir_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_delete_enter(ctx, PENDING_RMDIR);
}
SEC("tracepoint/syscalls/sys_exit_rmdir")
int sysmonts_rmdir_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_delete_exit(ctx->ret);
}

/* ---------------------------------------------------------------- file time (event 2) */

/*
 * Event 2 on Linux: a successful utimensat/futimesat/utimes/utime that sets a file's
 * modification time earlier than it was (timestomping: `touch -d 2001-01-01 f`, `touch -r old f`;
 * Linux has no creation time a user can set; driver/linux/README.md).
 *
 * No tracepoint sees the inode between lookup and setattr, so the previous mtime is known only
 * when the call names an open fd (utimensat(fd, NULL, ...), futimens(), AT_EMPTY_PATH): it is
 * read from the inode at sys_enter, and the new one from the same inode at sys_exit (what the
 * filesystem really stored). A path-based call reports its requested mtime, the previous one as
 * unknown, and only when that time is FILE_TIME_PAST_MARGIN_SEC or more before now.
 * NULL times and UTIME_NOW set "now" (never backwards); UTIME_OMIT leaves mtime alone.
 *
 * Saved per thread in pending_calls: args[0] dfd, [1] path (0: the fd's own file),
 * [2] new mtime seconds, [3] its nanoseconds, [4] previous seconds, [5] previous nanoseconds.
 */

/* The inode's mtime moved twice: a private timespec64 (6.7-6.10), then split fields (6.11+). */
struct inode___mtime_private {
	struct timespec64 __i_mtime;
} __attribute__((preserve_access_index));
struct inode___mtime_public {
	struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

static __always_inline void inode_mtime(struct inode *inode, __s64 *sec, __u32 *nsec)
{
	if (bpf_core_field_exists(inode->i_mtime_sec)) {
		*sec = BPF_CORE_READ(inode, i_mtime_sec);
		*nsec = BPF_CORE_READ(inode, i_mtime_nsec);
	} else if (bpf_core_field_exists(((struct inode___mtime_private *)inode)->__i_mtime)) {
		struct inode___mtime_private *older = (void *)inode;
		*sec = BPF_CORE_READ(older, __i_mtime.tv_sec);
		*nsec = BPF_CORE_READ(older, __i_mtime.tv_nsec);
	} else {
		struct inode___mtime_public *oldest = (void *)inode;
		*sec = BPF_CORE_READ(oldest, i_mtime.tv_sec);
		*nsec = BPF_CORE_READ(oldest, i_mtime.tv_nsec);
	}
}

static __always_inline bool time_before(__s64 sec, __u32 nsec, __s64 than_sec, __u32 than_nsec)
{
	return sec < than_sec || (sec == than_sec && nsec < than_nsec);
}

static __always_inline int on_time_enter(long dfd, const char *name, __u32 at_flags, __s64 new_sec, __u32 new_nsec)
{
	struct pending_call call = { .syscall = PENDING_FILE_TIME };
	bool fd_call = !name && dfd != AT_FDCWD;
	if (name && (at_flags & AT_EMPTY_PATH)) {
		char first = 1;
		bpf_probe_read_user(&first, 1, name);
		fd_call = first == 0 && dfd != AT_FDCWD;
	}
	if (fd_call) {
		struct file *file = file_of_fd((struct task_struct *)bpf_get_current_task(), dfd);
		if (!file)
			return 0;
		__s64 sec = 0;
		__u32 nsec = 0;
		inode_mtime(BPF_CORE_READ(file, f_inode), &sec, &nsec);
		call.args[4] = sec;
		call.args[5] = nsec;
		name = 0;
	} else if (!name) {
		return 0;
	}
	call.args[0] = dfd;
	call.args[1] = (__u64)name;
	call.args[2] = new_sec;
	call.args[3] = new_nsec;
	__u64 key = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&pending_calls, &key, &call, BPF_ANY);
	return 0;
}

static __always_inline int on_time_exit(long ret)
{
	struct pending_call call;
	if (!take_call(&call) || call.syscall != PENDING_FILE_TIME || ret != 0)
		return 0;
	__u8 *base = scratch_record();
	struct path_scratch *paths = scratch_path();
	if (!base || !paths)
		return 0;
	struct sysmonts_file_time_record *record = (void *)base;
	__u8 *tail = base + sizeof(*record);
	fill_header(&record->header, SYSMONTS_KIND_FILE_TIME);
	long dfd = (long)(int)call.args[0];
	const char *name = (const char *)call.args[1];

	if (!name) {
		struct file *file = file_of_fd((struct task_struct *)bpf_get_current_task(), dfd);
		if (!file)
			return 0;
		__s64 sec = 0;
		__u32 nsec = 0;
		inode_mtime(BPF_CORE_READ(file, f_inode), &sec, &nsec);
		if (!time_before(sec, nsec, call.args[4], call.args[5]))
			return 0;
		record->new_sec = sec;
		record->new_nsec = nsec;
		record->previous_sec = call.args[4];
		record->previous_nsec = call.args[5];
		__u32 pos = walk_path(paths, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt),
				      &record->header.flags);
		record->path_len = copy_walked(tail, paths, pos);
	} else {
		__s64 now_sec = (bpf_ktime_get_boot_ns() + sysmonts_config.boot_to_wall_ns) / NSEC_PER_SEC;
		if ((__s64)call.args[2] > now_sec - FILE_TIME_PAST_MARGIN_SEC)
			return 0;
		record->header.flags |= SYSMONTS_FLAG_PREVIOUS_TIME_UNKNOWN;
		record->new_sec = call.args[2];
		record->new_nsec = call.args[3];
		record->previous_sec = 0;
		record->previous_nsec = 0;
		record->path_len = join_at_path(tail, paths, dfd, name, &record->header.flags);
		if (record->path_len == 0)
			return 0;
	}
	emit(base, sizeof(*record) + (record->path_len & (2 * PATH_END - 1)));
	return 0;
}

/* utimensat(dfd, path, const struct timespec times[2], flags): times[1] is the mtime. */
SEC("tracepoint/syscalls/sys_enter_utimensat")
int sysmonts_utimensat_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct __kernel_timespec times[2];
	const void *user_times = (const void *)ctx->args[2];
	if (!user_times || !wanted(SYSMONTS_KIND_FILE_TIME) || bpf_probe_read_user(times, sizeof(times), user_times) != 0)
		return 0;
	if (times[1].tv_nsec == UTIME_NOW || times[1].tv_nsec == UTIME_OMIT)
		return 0;
	return on_time_enter(ctx->args[0], (const char *)ctx->args[1], ctx->args[3], times[1].tv_sec, times[1].tv_nsec);
}
SEC("tracepoint/syscalls/sys_exit_utimensat")
int sysmonts_utimensat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_time_exit(ctx->ret);
}

/* futimesat(dfd, path, const struct timeval times[2]) and utimes(path, times): microseconds. */
static __always_inline int on_timeval_enter(long dfd, const char *name, const void *user_times)
{
	struct __kernel_old_timeval times[2];
	if (!user_times || !wanted(SYSMONTS_KIND_FILE_TIME) || bpf_probe_read_user(times, sizeof(times), user_times) != 0)
		return 0;
	return on_time_enter(dfd, name, 0, times[1].tv_sec, times[1].tv_usec * 1000);
}
SEC("tracepoint/syscalls/sys_enter_futimesat")
int sysmonts_futimesat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_timeval_enter(ctx->args[0], (const char *)ctx->args[1], (const void *)ctx->args[2]);
}
SEC("tracepoint/syscalls/sys_exit_futimesat")
int sysmonts_futimesat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_time_exit(ctx->ret);
}
SEC("tracepoint/syscalls/sys_enter_utimes")
int sysmonts_utimes_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_timeval_enter(AT_FDCWD, (const char *)ctx->args[0], (const void *)ctx->args[1]);
}
SEC("tracepoint/syscalls/sys_exit_utimes")
int sysmonts_utimes_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_time_exit(ctx->ret);
}

/* utime(path, const struct utimbuf *times): { actime, modtime } in whole seconds. */
SEC("tracepoint/syscalls/sys_enter_utime")
int sysmonts_utime_enter(struct trace_event_raw_sys_enter *ctx)
{
	long times[2];
	const void *user_times = (const void *)ctx->args[1];
	if (!user_times || !wanted(SYSMONTS_KIND_FILE_TIME) || bpf_probe_read_user(times, sizeof(times), user_times) != 0)
		return 0;
	return on_time_enter(AT_FDCWD, (const char *)ctx->args[0], 0, times[1], 0);
}
SEC("tracepoint/syscalls/sys_exit_utime")
int sysmonts_utime_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_time_exit(ctx->ret);
}

/* ---------------------------------------------------------------- process access */

static __always_inline void emit_access(__u32 target, __u32 operation)
{
	__u8 *base = scratch_record();
	if (!base)
		return;
	struct sysmonts_process_access_record *record = (void *)base;
	fill_header(&record->header, SYSMONTS_KIND_PROCESS_ACCESS);
	record->target_pid = target;
	record->operation = operation;
	emit(base, sizeof(*record));
}

SEC("tracepoint/syscalls/sys_enter_ptrace")
int sysmonts_ptrace_enter(struct trace_event_raw_sys_enter *ctx)
{
	long request = ctx->args[0];
	if ((request == PTRACE_ATTACH || request == PTRACE_SEIZE) && wanted(SYSMONTS_KIND_PROCESS_ACCESS))
		save_call(ctx, PENDING_PTRACE);
	return 0;
}
SEC("tracepoint/syscalls/sys_exit_ptrace")
int sysmonts_ptrace_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending_call call;
	if (!take_call(&call) || ctx->ret != 0)
		return 0;
	emit_access(call.args[1], call.args[0] == PTRACE_ATTACH ? SYSMONTS_ACCESS_PTRACE_ATTACH : SYSMONTS_ACCESS_PTRACE_SEIZE);
	return 0;
}

/* Reading or writing another process's memory; a process touching its own is not access. */
static __always_inline int on_vm_enter(struct trace_event_raw_sys_enter *ctx, __u32 syscall)
{
	if ((__u32)ctx->args[0] != current_tgid() && wanted(SYSMONTS_KIND_PROCESS_ACCESS))
		save_call(ctx, syscall);
	return 0;
}
static __always_inline int on_vm_exit(long ret)
{
	struct pending_call call;
	if (!take_call(&call) || ret < 0)
		return 0;
	emit_access(call.args[0], call.syscall == PENDING_VM_READV ? SYSMONTS_ACCESS_VM_READV : SYSMONTS_ACCESS_VM_WRITEV);
	return 0;
}
SEC("tracepoint/syscalls/sys_enter_process_vm_readv")
int sysmonts_vm_readv_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_vm_enter(ctx, PENDING_VM_READV);
}
SEC("tracepoint/syscalls/sys_exit_process_vm_readv")
int sysmonts_vm_readv_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_vm_exit(ctx->ret);
}
SEC("tracepoint/syscalls/sys_enter_process_vm_writev")
int sysmonts_vm_writev_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_vm_enter(ctx, PENDING_VM_WRITEV);
}
SEC("tracepoint/syscalls/sys_exit_process_vm_writev")
int sysmonts_vm_writev_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_vm_exit(ctx->ret);
}

/* ---------------------------------------------------------------- bpf (event 100) */

SEC("tracepoint/syscalls/sys_enter_bpf")
int sysmonts_bpf_enter(struct trace_event_raw_sys_enter *ctx)
{
	long command = ctx->args[0];
	if ((command == BPF_CMD_PROG_LOAD || command == BPF_CMD_PROG_ATTACH) && wanted(SYSMONTS_KIND_BPF))
		save_call(ctx, PENDING_BPF);
	return 0;
}

/* Counts as Sysmon does (spec/events.md §5.10): LOAD returning an fd, ATTACH returning 0. */
SEC("tracepoint/syscalls/sys_exit_bpf")
int sysmonts_bpf_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending_call call;
	if (!take_call(&call))
		return 0;
	long ret = ctx->ret;
	__u32 command = call.args[0];
	if ((command == BPF_CMD_PROG_LOAD && ret < 0) || (command == BPF_CMD_PROG_ATTACH && ret != 0))
		return 0;
	__u8 *base = scratch_record();
	if (!base)
		return 0;
	struct sysmonts_bpf_record *record = (void *)base;
	fill_header(&record->header, SYSMONTS_KIND_BPF);
	record->command = command;
	record->program_type = 0;
	record->program_fd = ret;
	record->reserved = 0;
	__builtin_memset(record->program_name, 0, sizeof(record->program_name));
	if (command == BPF_CMD_PROG_LOAD) {
		const void *attr = (const void *)call.args[1];
		bpf_probe_read_user(&record->program_type, sizeof(record->program_type), attr);
		bpf_probe_read_user(record->program_name, sizeof(record->program_name),
				    attr + __builtin_offsetof(union bpf_attr, prog_name));
	}
	emit(base, sizeof(*record));
	return 0;
}
