"""The programme's pages: the tree and its activities (and the actions on them), the annual report, the digest."""
