"""Media workers: pjsua2 processes (at most 4 calls each) driven over AMP by the pool in the control process."""
