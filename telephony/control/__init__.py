"""The control process's side of a call: carrying out IVR actions and ACD decisions on media legs."""
