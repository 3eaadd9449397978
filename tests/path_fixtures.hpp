#pragma once
// Hosts shared by the packet-path fixtures (documentation addresses only). Written as the JSON
// fwbench reads (`--host`), so the kernel oracle can build the same hosts in namespaces.

namespace fwbench::test {

// A router: wan1 203.0.113.1/24 (default route via 203.0.113.254), lan0 192.0.2.1/24, lo.
// Table "alt" routes everything via lan0 for packets marked 0x1.
inline const char* router_addr = R"([
  {"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"mtu":65536,"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},
  {"ifindex":2,"ifname":"wan1","flags":["BROADCAST","UP"],"address":"02:00:00:00:01:01","mtu":1500,
   "addr_info":[{"family":"inet","local":"203.0.113.1","prefixlen":24}]},
  {"ifindex":3,"ifname":"lan0","flags":["BROADCAST","UP"],"address":"02:00:00:00:02:01","mtu":1400,
   "addr_info":[{"family":"inet","local":"192.0.2.1","prefixlen":24}]}])";

inline const char* router_routes = R"([
  {"dst":"default","gateway":"203.0.113.254","dev":"wan1"},
  {"dst":"203.0.113.0/24","dev":"wan1","prefsrc":"203.0.113.1"},
  {"dst":"192.0.2.0/24","dev":"lan0","prefsrc":"192.0.2.1"},
  {"dst":"default","gateway":"192.0.2.254","dev":"lan0","table":"alt"},
  {"type":"local","dst":"127.0.0.0/8","dev":"lo","table":"local","prefsrc":"127.0.0.1"},
  {"type":"local","dst":"127.0.0.1","dev":"lo","table":"local","prefsrc":"127.0.0.1"},
  {"type":"broadcast","dst":"127.255.255.255","dev":"lo","table":"local","prefsrc":"127.0.0.1"},
  {"type":"local","dst":"203.0.113.1","dev":"wan1","table":"local","prefsrc":"203.0.113.1"},
  {"type":"broadcast","dst":"203.0.113.255","dev":"wan1","table":"local","prefsrc":"203.0.113.1"},
  {"type":"local","dst":"192.0.2.1","dev":"lan0","table":"local","prefsrc":"192.0.2.1"},
  {"type":"broadcast","dst":"192.0.2.255","dev":"lan0","table":"local","prefsrc":"192.0.2.1"},
  {"type":"blackhole","dst":"198.51.100.128/25"},
  {"type":"unreachable","dst":"198.51.100.32/28"},
  {"type":"prohibit","dst":"198.51.100.48/28"},
  {"dst":"198.51.100.64/28","gateway":"203.0.113.254","dev":"wan1","metrics":[{"mtu":1300}]}])";

// The router's main table, and the policy routing a transparent proxy sets up: what the fwmark
// rule's table `alt` takes (mark 0x1) is delivered locally, whatever its destination.
inline const char* router_routes_tproxy = R"([
  {"dst":"default","gateway":"203.0.113.254","dev":"wan1"},
  {"dst":"203.0.113.0/24","dev":"wan1","prefsrc":"203.0.113.1"},
  {"dst":"192.0.2.0/24","dev":"lan0","prefsrc":"192.0.2.1"},
  {"type":"local","dst":"default","dev":"lo","table":"alt"}])";

// The router's main table with realms (`realms FROM/TO`): lan0's and wan1's prefixes a
// destination realm each, 198.51.100.0/25 both. The local table is derived from the addresses.
inline const char* router_routes_with_realms = R"([
  {"dst":"default","gateway":"203.0.113.254","dev":"wan1"},
  {"dst":"203.0.113.0/24","dev":"wan1","prefsrc":"203.0.113.1","flow":{"to":"3"}},
  {"dst":"192.0.2.0/24","dev":"lan0","prefsrc":"192.0.2.1","flow":{"to":"7"}},
  {"dst":"198.51.100.0/25","gateway":"203.0.113.254","dev":"wan1","flow":{"from":"9","to":"5"}}])";

inline const char* router_rules = R"([
  {"priority":0,"src":"all","table":"local"},
  {"priority":100,"src":"all","fwmark":"0x1","table":"alt"},
  {"priority":32766,"src":"all","table":"main"},
  {"priority":32767,"src":"all","table":"default"}])";

}  // namespace fwbench::test
