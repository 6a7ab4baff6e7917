/* SPDX-License-Identifier: GPL-2.0 */
/* GENERATED from engine/src/sensor/linux/layout.ts by driver/linux/generate-records-header.mjs. Do not edit. */
#ifndef SYSMONTS_RECORDS_H
#define SYSMONTS_RECORDS_H

#define SYSMONTS_KIND_EXEC 1
#define SYSMONTS_KIND_EXIT 2
#define SYSMONTS_KIND_NETWORK 3
#define SYSMONTS_KIND_FILE_CREATE 4
#define SYSMONTS_KIND_FILE_DELETE 5
#define SYSMONTS_KIND_RAW_ACCESS 6
#define SYSMONTS_KIND_PROCESS_ACCESS 7
#define SYSMONTS_KIND_BPF 8
#define SYSMONTS_KIND_DNS 9
#define SYSMONTS_KIND_FILE_TIME 10
#define SYSMONTS_KIND_IMAGE_LOAD 11
#define SYSMONTS_FLAG_ARGV_TRUNCATED 1
#define SYSMONTS_FLAG_PATH_PARTIAL 2
#define SYSMONTS_FLAG_DIRECTORY 4
#define SYSMONTS_FLAG_DNS_TRUNCATED 8
#define SYSMONTS_FLAG_PREVIOUS_TIME_UNKNOWN 16
#define SYSMONTS_FLAG_IMAGE_UNLINKED 32
#define SYSMONTS_ACCESS_PTRACE_ATTACH 1
#define SYSMONTS_ACCESS_PTRACE_SEIZE 2
#define SYSMONTS_ACCESS_VM_READV 3
#define SYSMONTS_ACCESS_VM_WRITEV 4
#define SYSMONTS_PATH_MAX_BYTES 4095
#define SYSMONTS_PATH_MAX_DEPTH 64
#define SYSMONTS_ARGV_MAX_BYTES 16384
#define SYSMONTS_DNS_MAX_BYTES 4096
#define SYSMONTS_SCRATCH_BYTES 32768
#define SYSMONTS_COUNTER_PRODUCED 0
#define SYSMONTS_COUNTER_LOST_RING_BUFFER 1
#define SYSMONTS_COUNTER_COUNT 2
#define SYSMONTS_ENABLED_KINDS_SLOTS 16

struct sysmonts_header {
	__u16 kind;
	__u16 flags;
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u64 time_ns;
};
_Static_assert(sizeof(struct sysmonts_header) == 24, "sysmonts_header: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_header, kind) == 0, "sysmonts_header.kind: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_header, flags) == 2, "sysmonts_header.flags: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_header, pid) == 4, "sysmonts_header.pid: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_header, tid) == 8, "sysmonts_header.tid: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_header, uid) == 12, "sysmonts_header.uid: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_header, time_ns) == 16, "sysmonts_header.time_ns: offset differs from layout.ts");

struct sysmonts_config {
	__u32 self_tgid;
	__u32 fmode_created;
	__u64 boot_to_wall_ns;
};
_Static_assert(sizeof(struct sysmonts_config) == 16, "sysmonts_config: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_config, self_tgid) == 0, "sysmonts_config.self_tgid: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_config, fmode_created) == 4, "sysmonts_config.fmode_created: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_config, boot_to_wall_ns) == 8, "sysmonts_config.boot_to_wall_ns: offset differs from layout.ts");

struct sysmonts_exec_record {
	struct sysmonts_header header;
	__u32 parent_pid;
	__u32 session_id;
	__u32 login_uid;
	__s32 tty_index;
	__u64 start_ns;
	__u64 process_key;
	__u32 image_len;
	__u32 cwd_len;
	__u32 argv_len;
};
/* followed by: image, cwd, argv (sizes in the *_len fields) */
_Static_assert(sizeof(struct sysmonts_exec_record) == 72, "sysmonts_exec_record: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exec_record, parent_pid) == 24, "sysmonts_exec_record.parent_pid: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exec_record, session_id) == 28, "sysmonts_exec_record.session_id: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exec_record, login_uid) == 32, "sysmonts_exec_record.login_uid: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exec_record, tty_index) == 36, "sysmonts_exec_record.tty_index: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exec_record, start_ns) == 40, "sysmonts_exec_record.start_ns: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exec_record, process_key) == 48, "sysmonts_exec_record.process_key: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exec_record, image_len) == 56, "sysmonts_exec_record.image_len: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exec_record, cwd_len) == 60, "sysmonts_exec_record.cwd_len: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exec_record, argv_len) == 64, "sysmonts_exec_record.argv_len: offset differs from layout.ts");

struct sysmonts_exit_record {
	struct sysmonts_header header;
	__s32 exit_status;
	__u32 reserved;
	__u64 start_ns;
	__u64 process_key;
};
_Static_assert(sizeof(struct sysmonts_exit_record) == 48, "sysmonts_exit_record: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exit_record, exit_status) == 24, "sysmonts_exit_record.exit_status: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exit_record, reserved) == 28, "sysmonts_exit_record.reserved: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exit_record, start_ns) == 32, "sysmonts_exit_record.start_ns: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_exit_record, process_key) == 40, "sysmonts_exit_record.process_key: offset differs from layout.ts");

struct sysmonts_network_record {
	struct sysmonts_header header;
	__u8 protocol;
	__u8 outbound;
	__u16 family;
	__u16 local_port;
	__u16 remote_port;
	__u8 local_addr[16];
	__u8 remote_addr[16];
};
_Static_assert(sizeof(struct sysmonts_network_record) == 64, "sysmonts_network_record: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_network_record, protocol) == 24, "sysmonts_network_record.protocol: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_network_record, outbound) == 25, "sysmonts_network_record.outbound: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_network_record, family) == 26, "sysmonts_network_record.family: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_network_record, local_port) == 28, "sysmonts_network_record.local_port: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_network_record, remote_port) == 30, "sysmonts_network_record.remote_port: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_network_record, local_addr) == 32, "sysmonts_network_record.local_addr: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_network_record, remote_addr) == 48, "sysmonts_network_record.remote_addr: offset differs from layout.ts");

struct sysmonts_file_create_record {
	struct sysmonts_header header;
	__u32 path_len;
};
/* followed by: path (sizes in the *_len fields) */
_Static_assert(sizeof(struct sysmonts_file_create_record) == 32, "sysmonts_file_create_record: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_file_create_record, path_len) == 24, "sysmonts_file_create_record.path_len: offset differs from layout.ts");

struct sysmonts_file_delete_record {
	struct sysmonts_header header;
	__u32 path_len;
};
/* followed by: path (sizes in the *_len fields) */
_Static_assert(sizeof(struct sysmonts_file_delete_record) == 32, "sysmonts_file_delete_record: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_file_delete_record, path_len) == 24, "sysmonts_file_delete_record.path_len: offset differs from layout.ts");

struct sysmonts_raw_access_record {
	struct sysmonts_header header;
	__u32 path_len;
};
/* followed by: path (sizes in the *_len fields) */
_Static_assert(sizeof(struct sysmonts_raw_access_record) == 32, "sysmonts_raw_access_record: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_raw_access_record, path_len) == 24, "sysmonts_raw_access_record.path_len: offset differs from layout.ts");

struct sysmonts_image_load_record {
	struct sysmonts_header header;
	__u32 path_len;
};
/* followed by: path (sizes in the *_len fields) */
_Static_assert(sizeof(struct sysmonts_image_load_record) == 32, "sysmonts_image_load_record: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_image_load_record, path_len) == 24, "sysmonts_image_load_record.path_len: offset differs from layout.ts");

struct sysmonts_process_access_record {
	struct sysmonts_header header;
	__u32 target_pid;
	__u32 operation;
};
_Static_assert(sizeof(struct sysmonts_process_access_record) == 32, "sysmonts_process_access_record: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_process_access_record, target_pid) == 24, "sysmonts_process_access_record.target_pid: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_process_access_record, operation) == 28, "sysmonts_process_access_record.operation: offset differs from layout.ts");

struct sysmonts_bpf_record {
	struct sysmonts_header header;
	__u32 command;
	__u32 program_type;
	__s32 program_fd;
	__u32 reserved;
	__u8 program_name[16];
};
_Static_assert(sizeof(struct sysmonts_bpf_record) == 56, "sysmonts_bpf_record: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_bpf_record, command) == 24, "sysmonts_bpf_record.command: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_bpf_record, program_type) == 28, "sysmonts_bpf_record.program_type: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_bpf_record, program_fd) == 32, "sysmonts_bpf_record.program_fd: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_bpf_record, reserved) == 36, "sysmonts_bpf_record.reserved: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_bpf_record, program_name) == 40, "sysmonts_bpf_record.program_name: offset differs from layout.ts");

struct sysmonts_dns_record {
	struct sysmonts_header header;
	__u8 protocol;
	__u8 outgoing;
	__u16 reserved;
	__u32 stream;
	__u32 segment_len;
	__u32 message_len;
};
/* followed by: message (sizes in the *_len fields) */
_Static_assert(sizeof(struct sysmonts_dns_record) == 40, "sysmonts_dns_record: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_dns_record, protocol) == 24, "sysmonts_dns_record.protocol: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_dns_record, outgoing) == 25, "sysmonts_dns_record.outgoing: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_dns_record, reserved) == 26, "sysmonts_dns_record.reserved: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_dns_record, stream) == 28, "sysmonts_dns_record.stream: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_dns_record, segment_len) == 32, "sysmonts_dns_record.segment_len: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_dns_record, message_len) == 36, "sysmonts_dns_record.message_len: offset differs from layout.ts");

struct sysmonts_file_time_record {
	struct sysmonts_header header;
	__s64 new_sec;
	__s64 previous_sec;
	__u32 new_nsec;
	__u32 previous_nsec;
	__u32 path_len;
};
/* followed by: path (sizes in the *_len fields) */
_Static_assert(sizeof(struct sysmonts_file_time_record) == 56, "sysmonts_file_time_record: size differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_file_time_record, new_sec) == 24, "sysmonts_file_time_record.new_sec: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_file_time_record, previous_sec) == 32, "sysmonts_file_time_record.previous_sec: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_file_time_record, new_nsec) == 40, "sysmonts_file_time_record.new_nsec: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_file_time_record, previous_nsec) == 44, "sysmonts_file_time_record.previous_nsec: offset differs from layout.ts");
_Static_assert(__builtin_offsetof(struct sysmonts_file_time_record, path_len) == 48, "sysmonts_file_time_record.path_len: offset differs from layout.ts");

#endif
