import sys

from ecom_elt.cli import main

sys.exit(main())
