package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// netlinkSocket opens a route netlink socket in the calling thread's
// network namespace.
func netlinkSocket() (int, error) {
	s, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return 0, fmt.Errorf("opening netlink: %w", err)
	}
	if err := unix.Bind(s, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(s)
		return 0, fmt.Errorf("binding netlink: %w", err)
	}
	return s, nil
}

// loUp brings up the loopback of the calling thread's network namespace.
func loUp() error {
	s, err := netlinkSocket()
	if err != nil {
		return err
	}
	defer unix.Close(s)
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		return err
	}
	return request(s, unix.RTM_NEWLINK, 0, ifinfo(lo.Index, unix.IFF_UP))
}

// setUp creates the ifb interface name with ip/32 and brings it and the
// loopback up, in the calling thread's network namespace.
func setUp(name, ip string) error {
	s, err := netlinkSocket()
	if err != nil {
		return err
	}
	defer unix.Close(s)
	kind := attr(unix.IFLA_INFO_KIND, []byte("ifb"))
	create := append(ifinfo(0, 0), attr(unix.IFLA_IFNAME, append([]byte(name), 0))...)
	create = append(create, attr(unix.IFLA_LINKINFO, kind)...)
	if err := request(s, unix.RTM_NEWLINK, unix.NLM_F_CREATE|unix.NLM_F_EXCL, create); err != nil {
		return fmt.Errorf("creating ifb link %s: %w", name, err)
	}
	link, err := net.InterfaceByName(name)
	if err != nil {
		return err
	}
	addr := net.ParseIP(ip).To4()
	msg := make([]byte, unix.SizeofIfAddrmsg)
	*(*unix.IfAddrmsg)(unsafe.Pointer(&msg[0])) = unix.IfAddrmsg{Family: unix.AF_INET, Prefixlen: 32, Index: uint32(link.Index)}
	msg = append(msg, attr(unix.IFA_LOCAL, addr)...)
	msg = append(msg, attr(unix.IFA_ADDRESS, addr)...)
	if err := request(s, unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_EXCL, msg); err != nil {
		return fmt.Errorf("adding %s/32 to %s: %w", ip, name, err)
	}
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		return err
	}
	for _, idx := range []int{lo.Index, link.Index} {
		if err := request(s, unix.RTM_NEWLINK, 0, ifinfo(idx, unix.IFF_UP)); err != nil {
			return fmt.Errorf("bringing up link %d: %w", idx, err)
		}
	}
	return nil
}

func ifinfo(index int, up uint32) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	*(*unix.IfInfomsg)(unsafe.Pointer(&b[0])) = unix.IfInfomsg{Family: unix.AF_UNSPEC, Index: int32(index), Flags: up, Change: up}
	return b
}

// attr encodes one route attribute, padded to 4 bytes.
func attr(typ uint16, data []byte) []byte {
	n := unix.SizeofRtAttr + len(data)
	b := make([]byte, (n+3)&^3)
	binary.NativeEndian.PutUint16(b[0:2], uint16(n))
	binary.NativeEndian.PutUint16(b[2:4], typ)
	copy(b[unix.SizeofRtAttr:], data)
	return b
}

// request sends one message and reads the kernel's acknowledgement.
func request(s int, typ uint16, flags uint16, payload []byte) error {
	h := unix.NlMsghdr{
		Len: uint32(unix.SizeofNlMsghdr + len(payload)), Type: typ,
		Flags: unix.NLM_F_REQUEST | unix.NLM_F_ACK | flags, Seq: 1,
	}
	msg := make([]byte, unix.SizeofNlMsghdr, int(h.Len))
	*(*unix.NlMsghdr)(unsafe.Pointer(&msg[0])) = h
	msg = append(msg, payload...)
	if err := unix.Sendto(s, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(s, buf, 0)
	if err != nil {
		return err
	}
	msgs, err := syscall.ParseNetlinkMessage(buf[:n])
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if m.Header.Type != unix.NLMSG_ERROR || len(m.Data) < 4 {
			continue
		}
		if errno := -int32(binary.NativeEndian.Uint32(m.Data[:4])); errno != 0 {
			return unix.Errno(errno)
		}
		return nil
	}
	return errors.New("no acknowledgement from the kernel")
}
