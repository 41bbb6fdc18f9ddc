// SPDX-License-Identifier: GPL-2.0 OR MIT
// The one model every source is read into.
#pragma once

#include <procinfo/export.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace procinfo {

// Which processes a snapshot holds.
enum class View : std::uint8_t {
  all,         // every process (/proc/sysinfo_so1_202041390)
  containers,  // container processes only (/proc/continfo_so1_202041390)
};

PROCINFO_API std::string_view to_string(View view) noexcept;
// Parses "all" or "containers"; throws std::invalid_argument otherwise.
PROCINFO_API View parse_view(std::string_view text);

// Bits of Process::flags; the same values as PROCINFO_REC_* in the uapi header.
enum class ProcessFlag : std::uint32_t {
  kernel_thread = 1U << 0,
  container = 1U << 1,
  cmdline_truncated = 1U << 2,
  no_mm = 1U << 3,
  // The driver could not read the command line (its address space stayed
  // locked too long): cmdline is empty, every other field is valid.
  cmdline_unavailable = 1U << 4,
  // The cgroup path was longer than cgroup_max: cut back to its last '/'.
  cgroup_cut = 1U << 5,
  // The container name was longer than container_id_max: cut.
  container_id_cut = 1U << 6,
};

// Why a process is a container process: bits of Process::reasons, the same
// values as PROCINFO_REASON_* in the uapi header.
enum class ContainerReason : std::uint32_t {
  keyword = 1U << 0,  // its command line contains docker, container, runc or busybox
  cgroup = 1U << 1,   // its cgroup path follows a container runtime's naming
  pidns = 1U << 2,    // it lives in a pid namespace below the reader's
};

// ProcessFlag and ContainerReason are bit sets: as with std::filesystem::perms,
// a set of bits is a value of the enum type (a newer driver's unnamed bits
// included), combined with | & ^ ~ and tested with has().
template <typename E>
concept FlagSet = std::is_same_v<E, ProcessFlag> || std::is_same_v<E, ContainerReason>;

template <FlagSet E>
constexpr E operator|(E a, E b) noexcept {
  return static_cast<E>(static_cast<std::underlying_type_t<E>>(a) |
                        static_cast<std::underlying_type_t<E>>(b));
}
template <FlagSet E>
constexpr E operator&(E a, E b) noexcept {
  return static_cast<E>(static_cast<std::underlying_type_t<E>>(a) &
                        static_cast<std::underlying_type_t<E>>(b));
}
template <FlagSet E>
constexpr E operator^(E a, E b) noexcept {
  return static_cast<E>(static_cast<std::underlying_type_t<E>>(a) ^
                        static_cast<std::underlying_type_t<E>>(b));
}
template <FlagSet E>
constexpr E operator~(E a) noexcept {
  return static_cast<E>(~static_cast<std::underlying_type_t<E>>(a));
}
template <FlagSet E>
constexpr E& operator|=(E& a, E b) noexcept {
  return a = a | b;
}
template <FlagSet E>
constexpr E& operator&=(E& a, E b) noexcept {
  return a = a & b;
}
// Whether set holds any of the bits of flags.
template <FlagSet E>
constexpr bool has(E set, E flags) noexcept {
  return (set & flags) != E{};
}

// Whose naming a cgroup path follows; the values of PROCINFO_RUNTIME_*.
// A newer driver may report values this enum does not name.
enum class Runtime : std::uint8_t {
  none = 0,
  docker = 1,
  containerd = 2,
  crio = 3,
  podman = 4,
  lxc = 5,
  nspawn = 6,
};

// "docker", "containerd", "crio", "podman", "lxc", "nspawn"; "" for none,
// "unknown" for a value this library does not name.
PROCINFO_API std::string_view to_string(Runtime runtime) noexcept;

// The names of the ContainerReason bits set in reasons, in bit order:
// "keyword", "cgroup", "pidns".
PROCINFO_API std::vector<std::string_view> reason_names(ContainerReason reasons);

// Which container rule selects processes, as continfo's rule= parameter.
enum class ContainerRule : std::uint8_t {
  keywords,  // ContainerReason::keyword
  cgroup,    // ContainerReason::cgroup or ContainerReason::pidns
  both,      // any reason
};

PROCINFO_API std::string_view to_string(ContainerRule rule) noexcept;
// Parses "keywords", "cgroup" or "both"; throws std::invalid_argument otherwise.
PROCINFO_API ContainerRule parse_container_rule(std::string_view text);
// The ContainerReason bits of which a process needs one to be selected.
PROCINFO_API ContainerReason reasons_of(ContainerRule rule) noexcept;

// Longest command line kept, in raw /proc/<pid>/cmdline bytes (PROCINFO_CMDLINE_MAX).
inline constexpr std::size_t cmdline_max = 4096;
// Longest cgroup path a source keeps, in bytes (PROCINFO_CGROUP_MAX).
inline constexpr std::size_t cgroup_max = 1024;
// Longest container id or name kept (PROCINFO_CONTAINER_ID_MAX).
inline constexpr std::size_t container_id_max = 64;

// One process (thread-group leader). Plain data: every member is a stored
// value, nothing is computed on access. Units are in the member names.
// Members that not every source provides are optional: the JSON files carry
// only the first group.
struct Process {
  std::uint32_t pid = 0;
  std::string name;     // comm, valid UTF-8 (ill-formed bytes became U+FFFD)
  std::string cmdline;  // arguments joined by one space, <= 4096 raw bytes, valid UTF-8
  std::uint64_t vsz_kb = 0;
  std::uint64_t rss_kb = 0;
  std::uint32_t mem_pct_x100 = 0;  // floor(rss_kb * 10000 / mem_total_kb)
  std::uint64_t cpu_ticks = 0;     // JSON proc_jiffies: stat fields 14 + 15, USER_HZ
  char state = '?';                // stat field 3: R S D T t X Z P I

  std::optional<std::uint32_t> ppid;
  std::optional<std::uint32_t> uid;
  std::optional<std::uint32_t> gid;
  std::optional<std::uint32_t> nr_threads;
  std::optional<std::uint64_t> utime_ns;
  std::optional<std::uint64_t> stime_ns;
  std::optional<std::uint64_t> start_time_ns;  // CLOCK_BOOTTIME at start
  std::optional<ProcessFlag> flags;

  // Container identity, from sources that carry it (the device with
  // ABI >= 2.1, procfs, file: snapshots of those); absent from the JSON
  // files. A present container_id or pod_uid is "" outside a container
  // (or a pod).
  std::optional<std::string> cgroup;        // cgroup v2 path, as /proc/<pid>/cgroup's "0::" line
  std::optional<Runtime> runtime;           // Runtime::none when the path names no container
  std::optional<std::string> container_id;  // 64 hex digits, or the LXC / nspawn name
  std::optional<std::string> pod_uid;       // Kubernetes pod uid with dashes
  std::optional<ContainerReason> reasons;

  friend bool operator==(const Process&, const Process&) = default;
};

// Every process of one read of one source, sorted by ascending pid.
struct Snapshot {
  std::string source;  // the source it was read from, in SourceSpec string form
  View view = View::all;
  std::uint64_t mem_total_kb = 0;
  std::uint64_t mem_free_kb = 0;
  std::chrono::system_clock::time_point taken_at;  // wall clock when the read started
  std::chrono::nanoseconds read_duration{0};       // how long the read took
  // CLOCK_BOOTTIME when the read started, the clock of start_time_ns; set
  // for reads of live sources (and kept by file: snapshots), so that a
  // process's age can be told from a saved snapshot too.
  std::optional<std::chrono::nanoseconds> taken_at_boot;
  // Clock ticks per second (USER_HZ) of Process::cpu_ticks, as the system
  // that was read counts them: the device says it, procfs and the JSON files
  // are read on the system they describe (sysconf(_SC_CLK_TCK)), file:
  // snapshots keep it. Absent from files written before it was stored.
  std::optional<std::uint32_t> user_hz;
  std::vector<Process> processes;

  std::uint64_t mem_used_kb() const noexcept { return mem_total_kb - mem_free_kb; }
  // Binary search by pid; nullptr when absent. O(log n).
  PROCINFO_API const Process* find(std::uint32_t pid) const noexcept;
};

// Replaces each byte that is not part of a well-formed UTF-8 sequence
// (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF, no
// truncated sequence) by U+FFFD, one per byte: the rule every source applies
// to names, command lines and cgroup paths.
PROCINFO_API std::string sanitize_utf8(std::string_view bytes);

// "%u.%02u" of a mem_pct_x100 value, as the JSON files print mem_pct.
PROCINFO_API std::string format_mem_pct(std::uint32_t mem_pct_x100);

// The one-letter states a process can have (stat field 3).
inline constexpr std::string_view process_states = "RSDTtXZPI";

// Whether p is a container process: its ProcessFlag::container bit where the source
// reports flags, else the container rule on its command line
// (matches_container_rule()).
PROCINFO_API bool is_container(const Process& p) noexcept;

// Whether p is a container process under rule: one of the rule's reasons
// where the source reports reasons; without them (the JSON files, drivers
// before ABI 2.1) the keyword rule is all there is, so rule keywords and
// both fall back to is_container() and rule cgroup gives std::nullopt
// (cannot tell).
PROCINFO_API std::optional<bool> is_container(const Process& p, ContainerRule rule) noexcept;

}  // namespace procinfo
