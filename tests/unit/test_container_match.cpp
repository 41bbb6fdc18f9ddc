// SPDX-License-Identifier: GPL-2.0 OR MIT
// The cgroup-path matcher, driver/container_match.c: the very file sysinfo.ko
// compiles, built here as C into the SDK. Real paths of every runtime (cgroup
// v1 and v2, systemd and cgroupfs drivers, rootless Podman, kubepods of each
// QoS class, escaped nspawn names), the near-misses, adversarial input, and a
// seeded mutation loop that the sanitizer build runs under ASan and UBSan.
#include "container_match.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace std::literals;

namespace {

constexpr unsigned none = PROCINFO_RUNTIME_NONE;
constexpr unsigned docker = PROCINFO_RUNTIME_DOCKER;
constexpr unsigned containerd = PROCINFO_RUNTIME_CONTAINERD;
constexpr unsigned crio = PROCINFO_RUNTIME_CRIO;
constexpr unsigned podman = PROCINFO_RUNTIME_PODMAN;
constexpr unsigned lxc = PROCINFO_RUNTIME_LXC;
constexpr unsigned nspawn = PROCINFO_RUNTIME_NSPAWN;

struct Case {
  std::string path;
  unsigned runtime;
  std::string id;
  std::string pod_uid = "";
  unsigned flags = 0;
};

struct Result {
  unsigned ret;
  procinfo_container_match m;
};

// Runs the matcher on a heap copy of exactly path.size() bytes (no NUL
// after it, so ASan sees any read past len), with *out full of garbage.
Result run(std::string_view path) {
  std::unique_ptr<char[]> buf(new char[path.size()]);
  std::copy(path.begin(), path.end(), buf.get());
  Result r;
  std::memset(&r.m, 0x5a, sizeof(r.m));
  r.ret = procinfo_match_cgroup(buf.get(), path.size(), &r.m);
  return r;
}

bool terminated(const char* s, std::size_t size) { return std::memchr(s, 0, size) != nullptr; }

// The invariants every result keeps, whatever the input: "" or what broke.
std::string invariant_error(const Result& r) {
  if (!terminated(r.m.id, sizeof(r.m.id))) return "id not NUL-terminated";
  if (!terminated(r.m.pod_uid, sizeof(r.m.pod_uid))) return "pod_uid not NUL-terminated";
  if (r.ret != r.m.runtime) return "return value differs from out->runtime";
  if (r.m.runtime > PROCINFO_RUNTIME_LAST) return "unknown runtime";
  if (r.m.flags & ~(PROCINFO_MATCH_ID_CUT | PROCINFO_MATCH_POD_UID_CUT)) return "unknown flag";
  const std::string_view id = r.m.id, pod = r.m.pod_uid;
  if (r.m.runtime == none) {
    const procinfo_container_match zero{};
    return std::memcmp(&r.m, &zero, sizeof(zero)) == 0 ? "" : "no match, yet not all zero";
  }
  if (id.empty()) return "match without an id";
  if (r.m.runtime != lxc && r.m.runtime != nspawn &&
      (id.size() != 64 || id.find_first_not_of("0123456789abcdef") != std::string_view::npos))
    return "hex id is not 64 lower-case hex digits";
  if (pod.find_first_not_of("0123456789abcdef-") != std::string_view::npos)
    return "pod uid with other characters";
  // Bytes after the strings stay zero: no stale bytes of an outer match.
  for (std::size_t i = id.size(); i < sizeof(r.m.id); i++)
    if (r.m.id[i]) return "garbage after the id";
  for (std::size_t i = pod.size(); i < sizeof(r.m.pod_uid); i++)
    if (r.m.pod_uid[i]) return "garbage after the pod uid";
  return "";
}

void check(const Case& c) {
  BOOST_TEST_CONTEXT("path \"" << c.path << "\"") {
    const Result r = run(c.path);
    BOOST_TEST(invariant_error(r) == "");
    BOOST_TEST(r.m.runtime == c.runtime);
    BOOST_TEST(std::string(r.m.id) == c.id);
    BOOST_TEST(std::string(r.m.pod_uid) == c.pod_uid);
    BOOST_TEST(r.m.flags == c.flags);

    // The same bytes followed by garbage (a container path, even) give the
    // same answer: nothing after len is read.
    for (std::string_view tail : {"\0"sv, "/docker-"sv, "0123456789abcdef"sv,
                                  "/lxc/x"sv, "\\x2d.scope"sv}) {
      std::string buf = c.path;
      buf.append(tail);
      procinfo_container_match m;
      std::memset(&m, 0x5a, sizeof(m));
      BOOST_TEST(procinfo_match_cgroup(buf.data(), c.path.size(), &m) == c.runtime);
      BOOST_TEST(std::memcmp(&m, &r.m, sizeof(m)) == 0);
    }
  }
}

// Container ids. Where a path below comes from a public report, so does its
// id; the others (marked "id made up") follow the shape the cited source
// documents.
const std::string D_MINIKUBE = "d6701ec289c56e4391acb11d07474b3139466857a305490575508a8b7a9fcf22";
const std::string D_B33 = "b33dda97580e721a69fa81742190341f858ea809ec4a9d74a8cfd411b0ee7c26";
const std::string D_5B8 = "5b881011f3e7efdae20491f386f50d4eac7355296ffcb5146a2b4d3c936a9430";
const std::string D_D6B = "d6b15f04feb95083acea4b9caa6e59f8ebe67e3e3cf9cb8c59fad543490ee3ef";
const std::string D_DA0 = "da09413f3e39d82a2be453a6caf14c55cd3127611549557cc70c50565ef5f0f6";
const std::string D_046 = "046c7a5b5bf78ee0f178688bbfb31642f64af25380e98b0cee1966533c1b8df5";
const std::string D_0BD = "0bd31f558c426d46f30778cefbc727282e4f257537b42b361ea5d03a44f4febe";
const std::string D_ABD = "abddff03dfd7710c79a750ce3e730365cbb2c8247a974170c1062683bc3e9152";
const std::string D_32C = "32cc26191dad2120ae02fbe32e3cb962c291591439f28765da6c2b8dd28d7e48";
const std::string D_0EB = "0eb2fce3f5e17f6373209d72560673456a6426bc584ff03d76c7802270bbe122";
const std::string D_D28 = "d28c9c99c0ad7e1a3cf3ad9e09f17d51bdfb86da06e71f5f00d813a068eb0445";
const std::string D_ROOTLESS = "1dfec15bdb69c62add2f184a1f8fc2ad2370307c927a0d3b4986856d8c988597";
const std::string D_IN_LXC = "560b6cef9b3b4a57f1d9db17b4f5a103d484165ced2179e6352c1ddb811cbfca";
const std::string D_IN_NSPAWN = "234a53d394b2d1e90418c644d4330a8196a891ef26994d5af2a529d8cdbda5cd";
const std::string D_DIND = "25437081047c7971d2f51245b48f1164f706d9c60766dccb09958fc914ad08f1";
const std::string C_0E7 = "0e768f8db752fcd648adb264498daa1d8f31562320e881d6a9ec593d24b1f779";
const std::string C_D7D = "d7dfb4a21fe1703a8537e60d5af248af729315d187b24a538102d14874c8117d";
const std::string C_A09 = "a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e";
const std::string C_09D = "09d185410c4e25236cc24717f881589bb0978b24eafd101624e627a4dd8d3439";
const std::string C_C20 = "c203a2647ef1ad78e990157c50331f3b6ef0b03336cf08535d6bf7faa5421415";
const std::string C_66D = "66dda1e97c4fc48204b066f07fc1e28bab94a571820484e01576982d4cb9d32b";
const std::string C_28B = "28b29b54a96c2523f0240e1cff00365e2f67d6e39103742cfa0321657466756e";
const std::string C_368 = "368b9cfa19de0a0be5eb1e1e9a892aacd82d74be4ef337fb7c288538b51e5192";
const std::string C_41E = "41ebb90fa201393b1c686f53533c8dcc803e582a42e7d9d962da2652550e32c4";
const std::string C_506 = "50635ad388aad013aed7f403b1e30e36f85edceb523d27d0ce287bf6e076d7d2";
const std::string C_GUAR = "a4dad04ae2dfddd5d8b810ab23e9c233e78d290f4e154a43ba527e1ba7dedb9b";
const std::string C_KIND = "02b163b51a26529307786328fbeacd4f6173da659764748b12b9fb6897d56e3c";
const std::string O_0BA = "0ba8ac17e4e7a31fb82279503552fe94e64bab4745bf6fd2ff231e7c8ca8bed0";
const std::string O_358 = "358607a37e7ada357032e7f5729c9ae6a3efdb7962acbcbe47ff6a3c5506cb1c";
const std::string O_89E = "89e8f450417b56acf3089925dfd8f050dd50e950e18cfe83ea923269df601102";
const std::string O_CGFS = "54c7476ba0dca5fc8a293fe6088d011a6b9b29ff4329220ad7d0a0974f07b1de";
const std::string O_BE = "fdcc8e9e30ab3e00d36b50acfb6b3c3f1b283df7d42069b49cd580772c745bd1";
const std::string O_GUAR = "538f2af2f9119943c7f8b2a71206d3853977388cd488bc0d353b427f9fc53927";
const std::string P_NGINX = "5d5d3758b7e7ff4ca55192b6223804e1cea832ae19795224d2d66cd68c75faff";
const std::string P_ROOTLESS = "56dfa3bc944415a972b0fe05883435f6f061150cc65600d923a24fd565932362";
const std::string P_INFRA = "b6b50acd9b1ce7a2c073c6bc705b71192d4f9fb6a97bbdae37b521e27ec33d2c";
const std::string P_CGFS = "53524afa757bb9c4b03c7d93dbb7028703f61cb1c5085dd3028933f3525f1358";
const std::string P_SYSTEMD = "50441b5e7a2a26d2b8c70e8675122e3db74c157955230f1da5be639ee5e97267";
const std::string P_U10000 = "c18b7e3ead6392ab6062e5014756284542a85a1af70d014db7f2762396eeea79";

// Pod uids as kubelet's systemd driver writes them ('_') and as reported.
const std::string POD_9692 = "9692aa0e-748e-11e8-8dfa-76d458035df6";
const std::string POD_1023 = "10231429-28f6-11e8-8903-74dbd1a06fe0";
const std::string POD_2AC2 = "2ac279fe-28fa-11e8-8904-74dbd1a06fe0";
const std::string POD_0BAC = "0bacf352-28f6-11e8-8903-74dbd1a06fe0";
const std::string POD_1E59 = "1e597579-417e-482f-bf65-5fe170c3aebd";
const std::string POD_03F3 = "03f3f104-3215-44f2-9686-d4dd1f05a7ed";
const std::string POD_STATIC = "187bff14cccb94f179e943eacce55bb3";  // a static pod's hash
const std::string POD_B7C2 = "b7c2cbdb-9ab5-47ef-977e-97e39a73da6d";
const std::string POD_2CA4 = "2ca4a155-3599-498d-bb9d-4446693fa3ea";
const std::string POD_AE7A = "ae7a96fb-2bdc-46b0-96e2-78e4af94847b";
const std::string POD_1FF4 = "1ff47ee6-9685-4726-ac6f-0ff070c452d6";
const std::string POD_F09F = "f09f12af-f459-40aa-a09c-783102e1e92a";
const std::string POD_AF93 = "af93eaf3-27e9-4f32-b961-1dee8a2f82c7";
const std::string POD_F8B9 = "f8b9f058-727b-459e-b664-ac836215b463";
const std::string POD_GUAR = "0bb81b6d-dead-4a87-8ecc-8ca098f98365";  // made up
const std::string POD_CRIO = "65be2cdc-470d-4ca3-8afe-f53b61ac6dc3";  // made up

std::string us(std::string uid) {
  std::replace(uid.begin(), uid.end(), '-', '_');
  return uid;
}

// Paths that name a container.
std::vector<Case> real_paths() {
  const std::string kp = "/kubepods.slice";
  const std::string be = kp + "/kubepods-besteffort.slice/kubepods-besteffort-pod";
  const std::string bu = kp + "/kubepods-burstable.slice/kubepods-burstable-pod";
  const std::string rootless = "/user.slice/user-1000.slice/user@1000.service/user.slice";
  return {
      // --- Docker, cgroupfs driver: /docker/<id>.
      // minikube's node container (kubernetes/minikube#11280), v2.
      {"/docker/" + D_MINIKUBE, docker, D_MINIKUBE},
      // name=systemd hierarchy of a container, v1 (containers/podman#5488).
      {"/docker/" + D_DA0, docker, D_DA0},
      // v1 systemd hierarchy listing (netdata/netdata#13470).
      {"/docker/" + D_046, docker, D_046},
      // A process in a sub-cgroup the container made for itself.
      {"/docker/" + D_046 + "/init.scope", docker, D_046},
      // --- Docker, systemd driver: docker-<id>.scope.
      // v1 name=systemd and cpuset hierarchies (containerd/containerd#285).
      {"/system.slice/docker-" + D_B33 + ".scope", docker, D_B33},
      // v1 memory hierarchy of the same container, below init.scope.
      {"/init.scope/system.slice/docker-" + D_B33 + ".scope", docker, D_B33},
      // v1 cpuset/memory/blkio (google/cadvisor#822).
      {"/system.slice/docker-" + D_5B8 + ".scope", docker, D_5B8},
      // In a sub-slice (moby/moby#4450).
      {"/system.slice/system-docker.slice/docker-" + D_D6B + ".scope", docker, D_D6B},
      // CentOS 7, v1 (moby/moby#9365).
      {"/system.slice/docker-" + D_0BD + ".scope", docker, D_0BD},
      // v2 with a private cgroup namespace and systemd in the container.
      {"/system.slice/docker-" + D_0BD + ".scope/init.scope", docker, D_0BD},
      {"/system.slice/docker-" + D_0BD + ".scope/system.slice/nginx.service", docker, D_0BD},
      // Rootless dockerd, systemd driver, cgroup parent user.slice (id made up).
      {rootless + "/docker-" + D_ROOTLESS + ".scope", docker, D_ROOTLESS},
      // --- Kubernetes with Docker (dockershim, cri-dockerd), systemd driver:
      // the pod uid comes along. BestEffort (kontena/pharos-cluster#440).
      {be + us(POD_9692) + ".slice/docker-" + D_ABD + ".scope", docker, D_ABD, POD_9692},
      // Guaranteed, Burstable, BestEffort pause (kubernetes/kubernetes#62896).
      {kp + "/kubepods-pod" + us(POD_1023) + ".slice/docker-" + D_32C + ".scope", docker, D_32C,
       POD_1023},
      {bu + us(POD_2AC2) + ".slice/docker-" + D_0EB + ".scope", docker, D_0EB, POD_2AC2},
      {be + us(POD_0BAC) + ".slice/docker-" + D_D28 + ".scope", docker, D_D28, POD_0BAC},

      // --- containerd's CRI plugin, SystemdCgroup = true:
      // cri-containerd-<id>.scope. Outside Kubernetes (containerd/cri#290).
      {"/system.slice/system-getty.slice/cri-containerd-" + C_0E7 + ".scope", containerd, C_0E7},
      // kind: kubelet's slices carry a "kubelet-" prefix (containerd/nri#227).
      {"/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
       "kubelet-kubepods-besteffort-pod" + us(POD_1E59) + ".slice/cri-containerd-" + C_D7D +
           ".scope",
       containerd, C_D7D, POD_1E59},
      {"/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
       "kubelet-kubepods-besteffort-pod" + us(POD_1E59) + ".slice/cri-containerd-" + C_A09 +
           ".scope",
       containerd, C_A09, POD_1E59},
      // Burstable (netdata/netdata#4868), and a static pod's 32-digit uid.
      {bu + us(POD_03F3) + ".slice/cri-containerd-" + C_09D + ".scope", containerd, C_09D,
       POD_03F3},
      {bu + POD_STATIC + ".slice/cri-containerd-" + C_C20 + ".scope", containerd, C_C20,
       POD_STATIC},
      // Guaranteed: directly in kubepods.slice (id made up).
      {kp + "/kubepods-pod" + us(POD_GUAR) + ".slice/cri-containerd-" + C_GUAR + ".scope",
       containerd, C_GUAR, POD_GUAR},
      // As seen from a reader in another cgroup namespace.
      {"/../../kubepods.slice/kubepods-pod" + us(POD_GUAR) + ".slice/cri-containerd-" + C_GUAR +
           ".scope",
       containerd, C_GUAR, POD_GUAR},
      // --- "<slice>:cri-containerd:<id>" taken as one directory
      // (containerd/runwasi#821, containerd/nri#227).
      {"/kubepods-besteffort-pod" + us(POD_B7C2) + ".slice:cri-containerd:" + C_66D, containerd,
       C_66D, POD_B7C2},
      {"/kubelet-kubepods-besteffort-pod" + us(POD_1E59) + ".slice:cri-containerd:" + C_A09,
       containerd, C_A09, POD_1E59},
      {"/system.slice:cri-containerd:" + C_66D, containerd, C_66D},
      // --- kubelet's cgroupfs driver: /kubepods/[qos/]pod<uid>/<id>; the
      // runtime is reported as containerd. Burstable, BestEffort and
      // Guaranteed (pod uids of google/cadvisor#2540, k3s layout of
      // CJLove/rt-operator's notes).
      {"/kubepods/burstable/pod" + POD_1FF4 + "/" + C_28B, containerd, C_28B, POD_1FF4},
      {"/kubepods/besteffort/pod" + POD_F09F + "/" + C_368, containerd, C_368, POD_F09F},
      {"/kubepods/pod" + POD_AF93 + "/" + C_41E, containerd, C_41E, POD_AF93},
      // kind with the cgroupfs driver: kubelet's cgroup root /kubelet.
      {"/kubelet/kubepods/burstable/pod" + POD_F8B9 + "/" + C_506, containerd, C_506, POD_F8B9},
      // v1 memory hierarchy, the same shape.
      {"/kubepods/besteffort/pod" + POD_F09F + "/" + C_368, containerd, C_368, POD_F09F},

      // --- CRI-O, systemd driver: crio-<id>.scope (kubernetes/minikube#11280,
      // CJLove/rt-operator's notes for v1).
      {be + us(POD_2CA4) + ".slice/crio-" + O_0BA + ".scope", crio, O_0BA, POD_2CA4},
      {be + us(POD_2CA4) + ".slice/crio-" + O_358 + ".scope", crio, O_358, POD_2CA4},
      {be + us(POD_AE7A) + ".slice/crio-" + O_89E + ".scope", crio, O_89E, POD_AE7A},
      {kp + "/kubepods-pod" + us(POD_CRIO) + ".slice/crio-" + O_GUAR + ".scope", crio, O_GUAR,
       POD_CRIO},
      // --- CRI-O, cgroupfs driver: bare crio-<id> (ids made up).
      {"/kubepods/burstable/pod" + POD_CRIO + "/crio-" + O_CGFS, crio, O_CGFS, POD_CRIO},
      {"/kubepods/besteffort/pod" + POD_CRIO + "/crio-" + O_BE, crio, O_BE, POD_CRIO},
      {"/kubepods/pod" + POD_CRIO + "/crio-" + O_GUAR, crio, O_GUAR, POD_CRIO},
      // Outside Kubernetes (crictl runp with a plain cgroup parent).
      {"/system.slice/crio-" + O_GUAR + ".scope", crio, O_GUAR},

      // --- Podman, rootful, systemd manager: machine.slice/libpod-<id>.scope
      // (containers/crun#678; ids made up).
      {"/machine.slice/libpod-" + P_NGINX + ".scope", podman, P_NGINX},
      // systemd in the container: the payload is in .../container.
      {"/machine.slice/libpod-" + P_SYSTEMD + ".scope/container", podman, P_SYSTEMD},
      {"/machine.slice/libpod-" + P_SYSTEMD + ".scope/container/system.slice/httpd.service",
       podman, P_SYSTEMD},
      // A Podman pod's slice (not a Kubernetes pod, not an nspawn machine).
      {"/machine.slice/machine-libpod_pod_" + P_INFRA + ".slice/libpod-" + P_NGINX + ".scope",
       podman, P_NGINX},
      // --- rootless, under user@<uid>.service/user.slice (containers/podman#4639).
      {rootless + "/libpod-" + P_ROOTLESS + ".scope", podman, P_ROOTLESS},
      {rootless + "/libpod-" + P_ROOTLESS + ".scope/container", podman, P_ROOTLESS},
      // A rootless pod (containers/podman#6400).
      {rootless + "/user-libpod_pod_" + P_INFRA + ".slice/libpod-" + P_INFRA + ".scope/container",
       podman, P_INFRA},
      // uid 10000 (containers/podman#20910).
      {"/user.slice/user-10000.slice/user@10000.service/user.slice/libpod-" + P_U10000 + ".scope",
       podman, P_U10000},
      // --- cgroupfs manager: bare libpod-<id>.
      {"/libpod_parent/libpod-" + P_CGFS, podman, P_CGFS},

      // --- LXC before 4.0: /lxc/<name> (draios/sysdig#801, netdata#1178).
      {"/lxc/x1", lxc, "x1"},
      {"/lxc/x1/system.slice/snapd.service", lxc, "x1"},
      {"/lxc/mysql-1/user.slice/user-0.slice/session-1.scope", lxc, "mysql-1"},
      {"/lxc/php", lxc, "php"},
      // --- /lxc.payload/<name> (htop-dev/htop#217).
      {"/lxc.payload/example/init.scope", lxc, "example"},
      {"/lxc.payload/example", lxc, "example"},
      // --- LXC 4+, LXD, Incus: lxc.payload.<name> (canonical/lxd#7104).
      {"/lxc.payload.Blog", lxc, "Blog"},
      {"/lxc.payload.NginxReverseProxy/system.slice/nginx.service", lxc, "NginxReverseProxy"},
      {"/lxc.payload.c1/init.scope", lxc, "c1"},
      // An LXD project's container: <project>_<name>.
      {"/lxc.payload.web_c1", lxc, "web_c1"},
      // A name with dots.
      {"/lxc.payload.ubuntu.22.04", lxc, "ubuntu.22.04"},

      // --- systemd-nspawn: machine.slice/machine-<name>.scope, unescaped.
      {"/machine.slice/machine-rootfs.scope", nspawn, "rootfs"},
      {"/machine.slice/machine-debian.scope/payload", nspawn, "debian"},
      {"/machine.slice/machine-my\\x2dcontainer.scope/payload/system.slice/systemd-journald.service",
       nspawn, "my-container"},
      {"/machine.slice/machine-fedora\\x2d39.scope/payload/init.scope", nspawn, "fedora-39"},
      // General \xHH, either case of hex digit.
      {"/machine.slice/machine-caf\\xc3\\xA9.scope", nspawn, "caf\xc3\xa9"},
      {"/machine.slice/machine-a\\x2eb\\x5fc.scope", nspawn, "a.b_c"},
      // --- systemd-nspawn@.service (machinectl start): .../payload.
      {"/machine.slice/systemd-nspawn@debian.service/payload", nspawn, "debian"},
      {"/machine.slice/systemd-nspawn@my\\x2dct.service/payload/init.scope", nspawn, "my-ct"},

      // --- Nesting: the innermost container wins.
      // Docker in an Incus container.
      {"/lxc.payload.c1/system.slice/docker-" + D_IN_LXC + ".scope", docker, D_IN_LXC},
      // Docker in an nspawn container.
      {"/machine.slice/machine-dev.scope/payload/system.slice/docker-" + D_IN_NSPAWN + ".scope",
       docker, D_IN_NSPAWN},
      // CRI-O pods in minikube's node container (kubernetes/minikube#11280).
      {"/docker/" + D_MINIKUBE + be + us(POD_2CA4) + ".slice/crio-" + O_0BA + ".scope",
       crio, O_0BA, POD_2CA4},
      // kind with the cgroupfs driver: containerd pods in a Docker container.
      {"/docker/" + D_MINIKUBE + "/kubepods/besteffort/pod" + POD_F09F + "/" + C_KIND, containerd,
       C_KIND, POD_F09F},
      // Docker in a Kubernetes pod: the pod still encloses it.
      {"/kubepods/burstable/pod" + POD_1FF4 + "/" + C_28B + "/docker/" + D_DIND, docker, D_DIND,
       POD_1FF4},
      // A pod below the winner is not its pod.
      {"/docker/" + D_MINIKUBE + "/kubepods/besteffort/pod" + POD_F09F, docker, D_MINIKUBE},
  };
}

// Paths that must not name a container.
std::vector<std::string> near_misses() {
  const std::string id = C_28B;
  const std::string be = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                         us(POD_2CA4) + ".slice";
  std::string upper = id;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  const std::string id63 = id.substr(0, 63), id65 = id + "0";
  return {
      // The daemons and their units.
      "/system.slice/docker.service",
      "/system.slice/docker.socket",
      "/system.slice/containerd.service",
      "/system.slice/crio.service",
      "/system.slice/docker.service/docker",
      "/system.slice/containerd.service/cpuset",
      "/podruntime/runtime",
      // conmon is not the container.
      be + "/crio-conmon-" + O_0BA + ".scope",
      "/kubepods/burstable/pod" + POD_CRIO + "/crio-conmon-" + O_CGFS,
      "/machine.slice/libpod-conmon-" + P_NGINX + ".scope",
      "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-conmon-" + P_ROOTLESS +
          ".scope",
      // Podman's own process (containers/podman#20910).
      "/user.slice/user-10000.slice/user@10000.service/user.slice/podman-239302.scope",
      // Mount units naming a container (google/cadvisor#822 lists such).
      "/system.slice/var-lib-docker-containers-" + id + "-mounts-shm.mount",
      "/system.slice/run-docker-netns-1a2b3c4d5e6f.mount",
      "/system.slice/docker-" + id + ".mount",
      "/system.slice/crio-" + id + ".mount",
      "/system.slice/libpod-" + id + ".mount",
      "/system.slice/run-user-1000.mount",
      // 63 and 65 digits, upper case, a 32-digit name (moby/moby#34220).
      "/docker/" + id63,
      "/docker/" + id65,
      "/docker/" + upper,
      "/system.slice/docker-" + id63 + ".scope",
      "/system.slice/docker-" + id65 + ".scope",
      "/system.slice/docker-" + upper + ".scope",
      "/system.slice/cri-containerd-" + id63 + ".scope",
      "/system.slice/cri-containerd-" + upper + ".scope",
      "/kubepods/burstable/pod" + POD_1FF4 + "/" + id63,
      "/kubepods/burstable/pod" + POD_1FF4 + "/" + id65,
      "/kubepods/burstable/pod" + POD_1FF4 + "/" + upper,
      "/kubepods/burstable/pod" + POD_1FF4 + "/crio-" + id65,
      "/machine.slice/libpod-" + id63 + ".scope",
      "/kubepods-besteffort-pod" + us(POD_B7C2) + ".slice:cri-containerd:" + id63,
      "/kubepods-besteffort-pod" + us(POD_B7C2) + ".slice:cri-containerd:" + upper,
      "/docker/c8cef9e2ff114e429cb845559c4a0dff",
      // A 64-digit name outside kubepods and docker.
      "/system.slice/containerd.service/cpuset/" + id,
      "/" + id,
      // Kubernetes before kubepods (kubernetes/kubernetes#36807): no kubepods.
      "/BestEffort.slice/BestEffort-pod0d33f94b_ab1a_11e6_9e1a_68f7281d8004.slice/"
      "0c34bcd7d02f321d0df7aa6ea703285b02abebc9096c5128c14091fc43ea1f3b",
      // Kubernetes cgroups that hold no container.
      "/kubepods.slice",
      "/kubepods.slice/kubepods-besteffort.slice",
      be,
      "/kubepods/burstable",
      "/kubepods/burstable/pod" + POD_1FF4,
      "/kubelet.slice/kubelet.service",
      // LXC's monitor and pivot cgroups (htop-dev/htop#217, canonical/lxd#7104).
      "/lxc.monitor.Blog",
      "/lxc.monitor/example",
      "/lxc.pivot",
      "/lxc",
      "/lxc/",
      "/lxc.payload",
      "/lxc.payload.",
      "/lxc.payload/",
      "/lxc.payloadX",
      // nspawn near-misses: the supervisor, the unit itself, the wrong slice,
      // an empty name, a slice.
      "/machine.slice/systemd-nspawn@debian.service/supervisor",
      "/machine.slice/systemd-nspawn@debian.service",
      "/system.slice/systemd-nspawn@debian.service/payload",
      "/machine.slice/systemd-nspawn@.service/payload",
      "/system.slice/machine-debian.scope",
      "/machine-debian.scope",
      "/machine.slice",
      "/machine.slice/machine-.scope",
      "/machine.slice/machine-debian.slice",
      "/machine.slice/machine-libpod_pod_" + P_INFRA + ".slice",
      // Malformed escapes: cut short, bad digits, not \x, NUL.
      "/machine.slice/machine-a\\x2.scope",
      "/machine.slice/machine-a\\x.scope",
      "/machine.slice/machine-a\\.scope",
      "/machine.slice/machine-a\\xzz.scope",
      "/machine.slice/machine-a\\x2g.scope",
      "/machine.slice/machine-a\\y2d.scope",
      "/machine.slice/machine-a\\X2d.scope",
      "/machine.slice/machine-a\\x00b.scope",
      "/machine.slice/machine-a\\",
      "/machine.slice/machine-\\x2",
      "/machine.slice/systemd-nspawn@a\\x2.service/payload",
      // Ordinary system paths.
      "/",
      "//",
      "///",
      "",
      "/init.scope",
      "/user.slice/user-1000.slice/session-2.scope",
      "/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/"
      "vte-spawn-f22f14d2-3d44-4304-9879-3fdd0df7b08e.scope",
      "/system.slice/systemd-journald.service",
      "docker",
      "/docker",
      "/docker/",
      "docker-.scope",
      "/cri-containerd-.scope",
      ":cri-containerd:",
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(container_match)

BOOST_AUTO_TEST_CASE(real_paths_of_each_runtime) {
  const auto cases = real_paths();
  BOOST_TEST(cases.size() >= 60u);
  unsigned seen[PROCINFO_RUNTIME_LAST + 1] = {};
  for (const Case& c : cases) {
    check(c);
    seen[c.runtime]++;
  }
  for (unsigned rt = 1; rt <= PROCINFO_RUNTIME_LAST; rt++) BOOST_TEST(seen[rt] >= 5u);
  BOOST_TEST_MESSAGE(cases.size() << " real paths");
}

BOOST_AUTO_TEST_CASE(near_misses_do_not_match) {
  const auto paths = near_misses();
  for (const std::string& p : paths) check({p, none, ""});
  BOOST_TEST_MESSAGE(paths.size() << " near-misses");
}

BOOST_AUTO_TEST_CASE(runtime_names) {
  BOOST_TEST(procinfo_runtime_name(PROCINFO_RUNTIME_NONE) == ""sv);
  BOOST_TEST(procinfo_runtime_name(docker) == "docker"sv);
  BOOST_TEST(procinfo_runtime_name(containerd) == "containerd"sv);
  BOOST_TEST(procinfo_runtime_name(crio) == "crio"sv);
  BOOST_TEST(procinfo_runtime_name(podman) == "podman"sv);
  BOOST_TEST(procinfo_runtime_name(lxc) == "lxc"sv);
  BOOST_TEST(procinfo_runtime_name(nspawn) == "nspawn"sv);
  BOOST_TEST(procinfo_runtime_name(PROCINFO_RUNTIME_LAST + 1) == ""sv);
  BOOST_TEST(procinfo_runtime_name(~0u) == ""sv);
}

// The runtime numbers are ABI: they never change.
BOOST_AUTO_TEST_CASE(runtime_values_are_stable) {
  static_assert(PROCINFO_RUNTIME_NONE == 0 && PROCINFO_RUNTIME_DOCKER == 1 &&
                PROCINFO_RUNTIME_CONTAINERD == 2 && PROCINFO_RUNTIME_CRIO == 3 &&
                PROCINFO_RUNTIME_PODMAN == 4 && PROCINFO_RUNTIME_LXC == 5 &&
                PROCINFO_RUNTIME_NSPAWN == 6 && PROCINFO_RUNTIME_LAST == 6);
  static_assert(PROCINFO_CONTAINER_ID_MAX == 64 && PROCINFO_POD_UID_MAX == 36);
  BOOST_TEST(sizeof(procinfo_container_match{}.id) == 65u);
  BOOST_TEST(sizeof(procinfo_container_match{}.pod_uid) == 37u);
}

BOOST_AUTO_TEST_CASE(empty_and_null_input) {
  procinfo_container_match m;
  std::memset(&m, 0x5a, sizeof(m));
  BOOST_TEST(procinfo_match_cgroup(nullptr, 0, &m) == none);
  BOOST_TEST(m.id[0] == 0);
  std::memset(&m, 0x5a, sizeof(m));
  BOOST_TEST(procinfo_match_cgroup(nullptr, 100, &m) == none);  // NULL is empty
  BOOST_TEST(m.pod_uid[0] == 0);
  const std::string path = "/docker/" + D_MINIKUBE;
  BOOST_TEST(procinfo_match_cgroup(path.data(), 0, &m) == none);
  // Every prefix of a matching path: only the whole id matches.
  for (std::size_t n = 0; n < path.size(); n++)
    BOOST_TEST_CONTEXT("len " << n) {
      const Result r = run(std::string_view(path).substr(0, n));
      BOOST_TEST(invariant_error(r) == "");
      BOOST_TEST(r.ret == none);
    }
}

BOOST_AUTO_TEST_CASE(a_nul_byte_ends_the_path) {
  const std::string id = D_MINIKUBE;
  check({"/lxc/foo\0/docker/"s + id, lxc, "foo"});
  check({"/docker/"s + id + "\0/lxc/foo"s, docker, id});
  check({"\0/docker/"s + id, none, ""});
  check({"/docker/"s + id.substr(0, 32) + "\0"s + id.substr(32), none, ""});
  check({"/machine.slice/machine-a\\x\0" "2d.scope"s, none, ""});
}

BOOST_AUTO_TEST_CASE(escape_cut_short_by_len) {
  const std::string p = "/machine.slice/machine-ab\\x2d.scope";
  // Ending the path inside the escape leaves no ".scope": no match, and no
  // read of the bytes after len (run() copies exactly len bytes).
  for (std::size_t n = p.find('\\'); n < p.size(); n++)
    BOOST_TEST_CONTEXT("len " << n) BOOST_TEST(run(std::string_view(p).substr(0, n)).ret == none);
  BOOST_TEST(run(p).ret == nspawn);
  BOOST_TEST(std::string(run(p).m.id) == "ab-");
}

BOOST_AUTO_TEST_CASE(long_names_are_cut_and_flagged) {
  const std::string n64(64, 'n'), n65 = n64 + "x", n4000(4000, 'q');
  check({"/lxc.payload." + n64, lxc, n64});
  check({"/lxc.payload." + n65, lxc, n64, "", PROCINFO_MATCH_ID_CUT});
  check({"/lxc/" + n4000 + "/init.scope", lxc, std::string(64, 'q'), "", PROCINFO_MATCH_ID_CUT});
  // Escaped names count their decoded length: 64 escapes of '-' fit.
  std::string esc;
  for (int i = 0; i < 64; i++) esc += "\\x2d";
  check({"/machine.slice/machine-" + esc + ".scope", nspawn, std::string(64, '-')});
  check({"/machine.slice/machine-" + esc + "z.scope", nspawn, std::string(64, '-'), "",
         PROCINFO_MATCH_ID_CUT});
  // A pod uid longer than 36 characters is cut and flagged too.
  const std::string pod40(40, 'a');
  check({"/kubepods/besteffort/pod" + pod40 + "/" + C_368, containerd, C_368, pod40.substr(0, 36),
         PROCINFO_MATCH_POD_UID_CUT});
  check({"/kubepods.slice/kubepods-pod" + pod40 + ".slice/crio-" + O_BE + ".scope", crio, O_BE,
         pod40.substr(0, 36), PROCINFO_MATCH_POD_UID_CUT});
  // A cut outer name does not leak into an inner match.
  check({"/lxc.payload." + n65 + "/system.slice/docker-" + D_IN_LXC + ".scope", docker,
         D_IN_LXC});
}

BOOST_AUTO_TEST_CASE(paths_of_4096_bytes) {
  // Components of system slices, n bytes in all.
  auto filler = [](std::size_t n) {
    std::string f;
    while (f.size() + 13 <= n) f += "/system.slice";
    if (f.size() < n) {
      f.push_back('/');
      f.append(n - f.size(), 'x');
    }
    return f;
  };
  // Deep nesting with the container at the very end.
  const std::string tail = "/docker-" + D_0BD + ".scope";
  const std::string deep = filler(4096 - tail.size()) + tail;
  BOOST_TEST(deep.size() == 4096u);
  check({deep, docker, D_0BD});
  check({deep.substr(0, deep.size() - 1), none, ""});  // cut one byte short
  // ... and at the very start, under 4000 bytes of slices.
  check({"/docker/" + D_DA0 + filler(4096 - 72), docker, D_DA0});
  // One 4096-byte component of hex digits, of slashes, a long docker child.
  check({std::string(4096, 'a'), none, ""});
  check({"/docker/" + std::string(4088, 'a'), none, ""});
  check({std::string(4096, '/'), none, ""});
  // "/docker" repeated, then an id.
  std::string rep;
  while (rep.size() < 4096 - 65 - 7) rep += "/docker";
  rep += "/" + D_DA0;
  check({rep, docker, D_DA0});
  // A pod, 4000 bytes of sub-cgroups, then the container.
  std::string pod = "/kubepods/burstable/pod" + POD_1FF4;
  pod += filler(4096 - pod.size() - 65) + "/" + C_28B;
  BOOST_TEST(pod.size() == 4096u);
  check({pod, containerd, C_28B, POD_1FF4});
}

// Random bytes and mutations of the table, seeded: the invariants hold for
// every input, and the answer never depends on bytes after len. Under the
// sanitizer build any read or write out of bounds aborts.
BOOST_AUTO_TEST_CASE(mutations_keep_the_invariants) {
  std::vector<std::string> corpus;
  for (const Case& c : real_paths()) corpus.push_back(c.path);
  for (const std::string& p : near_misses()) corpus.push_back(p);
  const std::string alphabet = "/\\x0123456789abcdefABCDEF-_.:@podkubescrilxmn\0\xff"s;
  std::mt19937_64 rng(20250512);
  auto pick = [&](std::size_t n) { return n ? static_cast<std::size_t>(rng() % n) : 0; };
  unsigned matched = 0;
  const unsigned iterations = 300000;
  for (unsigned it = 0; it < iterations; it++) {
    std::string s = corpus[pick(corpus.size())];
    const unsigned edits = 1 + static_cast<unsigned>(pick(4));
    for (unsigned e = 0; e < edits; e++) {
      switch (pick(8)) {
        case 0:  // overwrite a byte
          if (!s.empty()) s[pick(s.size())] = alphabet[pick(alphabet.size())];
          break;
        case 1:  // insert a byte
          s.insert(pick(s.size() + 1), 1, alphabet[pick(alphabet.size())]);
          break;
        case 2:  // delete a range
          if (!s.empty()) {
            const std::size_t at = pick(s.size());
            s.erase(at, 1 + pick(8));
          }
          break;
        case 3:  // cut
          s.resize(pick(s.size() + 1));
          break;
        case 4: {  // splice in a piece of another path
          const std::string& o = corpus[pick(corpus.size())];
          const std::size_t from = pick(o.size() + 1);
          s.insert(pick(s.size() + 1), o.substr(from, pick(o.size() - from + 1)));
          break;
        }
        case 5:  // random byte
          if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
          break;
        case 6:  // duplicate a component-sized range
          if (!s.empty()) {
            const std::size_t at = pick(s.size());
            s.insert(at, s.substr(at, pick(80)));
          }
          break;
        default:  // fully random bytes
          s.assign(pick(200), '\0');
          for (char& ch : s) ch = static_cast<char>(rng());
          break;
      }
    }
    const Result r = run(s);
    if (const std::string err = invariant_error(r); !err.empty())
      BOOST_FAIL(err << " for a path of " << s.size() << " bytes: \"" << s << "\"");
    if (r.ret) matched++;
    if (it % 16 == 0) {
      std::string g = s + "/docker-" + D_B33 + ".scope";
      procinfo_container_match m;
      std::memset(&m, 0xa5, sizeof(m));
      procinfo_match_cgroup(g.data(), s.size(), &m);
      if (std::memcmp(&m, &r.m, sizeof(m)) != 0)
        BOOST_FAIL("bytes after len changed the answer for \"" << s << "\"");
    }
  }
  // The mutations stay close enough to the table for both outcomes.
  BOOST_TEST(matched > iterations / 20);
  BOOST_TEST(matched < iterations - iterations / 10);
  BOOST_TEST_MESSAGE(iterations << " mutated paths, " << matched << " matched");
}

BOOST_AUTO_TEST_SUITE_END()
