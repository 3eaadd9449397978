// inject_frames IFACE CAPTURE: sends every frame of a capture (Ethernet link type) out of IFACE
// through an AF_PACKET socket, in order — the live port test's traffic source. Needs CAP_NET_RAW.

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "fwbench/capture.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: inject_frames IFACE CAPTURE\n";
        return 2;
    }
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd < 0) {
        std::perror("inject_frames: socket");
        return 1;
    }
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = static_cast<int>(if_nametoindex(argv[1]));
    to.sll_halen = 6;
    if (to.sll_ifindex == 0) {
        std::cerr << "inject_frames: no interface " << argv[1] << "\n";
        return 1;
    }
    fwbench::CaptureReader reader(argv[2]);
    fwbench::CaptureRecord rec;
    std::size_t sent = 0;
    while (reader.next(rec)) {
        if (rec.link_type != fwbench::linktype::ethernet) {
            std::cerr << "inject_frames: record " << rec.index << " is not an Ethernet frame\n";
            return 1;
        }
        if (sendto(fd, rec.frame.data(), rec.frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
            std::perror("inject_frames: sendto");
            return 1;
        }
        ++sent;
        usleep(200);  // af_packet ports read a ring; give the reader time, as a real link would
    }
    close(fd);
    std::cout << sent << "\n";
    return 0;
}
