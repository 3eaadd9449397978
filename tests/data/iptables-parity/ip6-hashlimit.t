# hashlimit's masks (XTTYPE_PLEN): a length up to 128 or a mask written as an address; the whole
# length is left out.
:INPUT,FORWARD,OUTPUT
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-srcmask 128 --hashlimit-dstmask 64;-m hashlimit --hashlimit-upto 7/sec --hashlimit-burst 5 --hashlimit-name x --hashlimit-dstmask 64;OK
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-srcmask 129;;FAIL
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-srcmask 33;-m hashlimit --hashlimit-upto 7/sec --hashlimit-burst 5 --hashlimit-name x --hashlimit-srcmask 33;OK
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-srcmask ffff:ff00::;-m hashlimit --hashlimit-upto 7/sec --hashlimit-burst 5 --hashlimit-name x --hashlimit-srcmask 24;OK
-m hashlimit --hashlimit-upto 7/sec --hashlimit-name x --hashlimit-srcmask ffff::ff00;;FAIL
