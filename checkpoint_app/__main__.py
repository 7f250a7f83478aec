from checkpoint_app.cli import main

raise SystemExit(main())
