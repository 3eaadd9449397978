# -m srh (libip6t_srh revision 1, ip6t_srh): each test negatable and given once; a field's -eq,
# -gt and -lt share one value, the last one given, which the saved form repeats; the segments are
# XTTYPE_HOSTMASK (the address whole, the mask as a length, /128 when not given; a mask that is no
# prefix is kept since iptables 1.8.11, which saves it as -1 printed unsigned).
:INPUT,FORWARD,OUTPUT
-m srh --srh-hdr-len-eq 8 --srh-hdr-len-gt 3;-m srh --srh-hdr-len-eq 3 --srh-hdr-len-gt 3;OK
-m srh --srh-hdr-len-lt 9 ! --srh-hdr-len-eq 2;-m srh ! --srh-hdr-len-eq 2 --srh-hdr-len-lt 2;OK
-m srh --srh-segs-left-gt 1 --srh-segs-left-lt 5;-m srh --srh-segs-left-gt 5 --srh-segs-left-lt 5;OK
-m srh --srh-last-entry-gt 0 ! --srh-last-entry-lt 7 --srh-last-entry-eq 3;-m srh --srh-last-entry-eq 3 --srh-last-entry-gt 3 ! --srh-last-entry-lt 3;OK
-m srh --srh-tag 7 --srh-next-hdr 6;-m srh --srh-next-hdr 6 --srh-tag 7;OK
-m srh --srh-psid a::1;-m srh --srh-psid a::1/128;OK
-m srh --srh-lsid a::1/ffff:ffff::;-m srh --srh-lsid a::1/32;OK
-m srh --srh-lsid a::1/0x40;-m srh --srh-lsid a::1/64;OK
-m srh ! --srh-nsid b::/64 --srh-lsid c::/0 --srh-psid a::/16;-m srh --srh-psid a::/16 ! --srh-nsid b::/64 --srh-lsid c::/0;OK
-m srh --srh-psid ::ffff:1.2.3.4/96;=;OK
-m srh --srh-nsid a::1/ffff::ff;-m srh --srh-nsid a::1/4294967295;OK;SAVED-SINCE 1.8.11
-m srh --srh-next-hdr 0x11 --srh-tag 0xffff;-m srh --srh-next-hdr 17 --srh-tag 65535;OK
-m srh ! --srh-tag 010;-m srh ! --srh-tag 8;OK
-m srh --srh-next-hdr 256;;FAIL
-m srh --srh-next-hdr udp;;FAIL
-m srh --srh-tag 65536;;FAIL
-m srh --srh-tag -1;;FAIL
-m srh --srh-next-hdr 17 --srh-next-hdr 18;;FAIL
-m srh --srh-psid a::/64 --srh-psid b::/64;;FAIL
-m srh --srh-psid a::/129;;FAIL
-m srh --srh-psid a::/-1;;FAIL
-m srh --srh-psid 1.2.3.4;;FAIL
-m srh --srh-segs-left-eq;;FAIL
