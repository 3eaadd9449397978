:OUTPUT
-m owner;;FAIL
-m owner --gid-owner 100 --suppl-groups;=;OK
-m owner --suppl-groups --gid-owner 100;;FAIL
-m owner --suppl-groups;;FAIL
-m owner --uid-owner root;-m owner --uid-owner 0;OK
-m owner ! --gid-owner root;-m owner ! --gid-owner 0;OK
-m owner --uid-owner 1000-1999;=;OK
