//go:build !linux

package captoken_test

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }
