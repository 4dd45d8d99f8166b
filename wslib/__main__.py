import sys

from wslib.cli import main

sys.exit(main())
