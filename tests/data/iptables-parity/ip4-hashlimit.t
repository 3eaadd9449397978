# hashlimit's masks (XTTYPE_PLEN): a length up to 32 or a mask written as an address; the whole
# length is left out.
:INPUT,FORWARD,OUTPUT
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-srcmask 32 --hashlimit-dstmask 24;-m hashlimit --hashlimit-upto 7/sec --hashlimit-burst 5 --hashlimit-name x --hashlimit-dstmask 24;OK
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-srcmask 33;;FAIL
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-dstmask 0;-m hashlimit --hashlimit-upto 7/sec --hashlimit-burst 5 --hashlimit-name x --hashlimit-dstmask 0;OK
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-srcmask 255.255.255.0;-m hashlimit --hashlimit-upto 7/sec --hashlimit-burst 5 --hashlimit-name x --hashlimit-srcmask 24;OK
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-srcmask 255.0.255.0;;FAIL
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-srcmask 0x10;-m hashlimit --hashlimit-upto 7/sec --hashlimit-burst 5 --hashlimit-name x --hashlimit-srcmask 16;OK
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-srcmask 010;-m hashlimit --hashlimit-upto 7/sec --hashlimit-burst 5 --hashlimit-name x --hashlimit-srcmask 8;OK
