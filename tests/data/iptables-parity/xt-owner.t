:OUTPUT
-m owner;;FAIL
-m owner --gid-owner 100 --suppl-groups;=;OK
-m owner --suppl-groups --gid-owner 100;;FAIL
-m owner --suppl-groups;;FAIL
