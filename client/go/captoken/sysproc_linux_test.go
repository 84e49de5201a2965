package captoken_test

import "syscall"

// sysProcAttr makes the server die with the test binary, even if the test is
// killed before it can send SIGTERM.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
