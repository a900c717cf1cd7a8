from brython_oidc.devidp.cli import main

raise SystemExit(main())
