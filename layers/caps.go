package layers

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// capIndex numbers the Linux capabilities by name, as ko's pkg/caps does
// (without the CAP_ prefix; names match in any case).
var capIndex = map[string]uint{
	"CHOWN": 0, "DAC_OVERRIDE": 1, "DAC_READ_SEARCH": 2, "FOWNER": 3, "FSETID": 4, "KILL": 5,
	"SETGID": 6, "SETUID": 7, "SETPCAP": 8, "LINUX_IMMUTABLE": 9, "NET_BIND_SERVICE": 10,
	"NET_BROADCAST": 11, "NET_ADMIN": 12, "NET_RAW": 13, "IPC_LOCK": 14, "IPC_OWNER": 15,
	"SYS_MODULE": 16, "SYS_RAWIO": 17, "SYS_CHROOT": 18, "SYS_PTRACE": 19, "SYS_PACCT": 20,
	"SYS_ADMIN": 21, "SYS_BOOT": 22, "SYS_NICE": 23, "SYS_RESOURCE": 24, "SYS_TIME": 25,
	"SYS_TTY_CONFIG": 26, "MKNOD": 27, "LEASE": 28, "AUDIT_WRITE": 29, "AUDIT_CONTROL": 30,
	"SETFCAP": 31, "MAC_OVERRIDE": 32, "MAC_ADMIN": 33, "SYSLOG": 34, "WAKE_ALARM": 35,
	"BLOCK_SUSPEND": 36, "AUDIT_READ": 37, "PERFMON": 38, "BPF": 39, "CHECKPOINT_RESTORE": 40,
}

func parseCap(s string) (uint64, error) {
	if i, err := strconv.ParseUint(s, 10, 6); err == nil {
		return 1 << i, nil
	}
	name := strings.ToUpper(s)
	if name == "ALL" {
		var all uint64
		for _, i := range capIndex {
			all |= 1 << i
		}
		return all, nil
	}
	if i, ok := capIndex[strings.TrimPrefix(name, "CAP_")]; ok {
		return 1 << i, nil
	}
	return 0, fmt.Errorf("unknown capability %q", s)
}

// FileCapability turns .ko.yaml's linux_capabilities terms into the
// security.capability xattr value exactly as ko v0.19.1 does: a bare name
// adds it to the permitted set; "name,name+ep", "name=p", "-p" edit the
// sets cap_from_text(3) style. It returns "" when no capability remains,
// and then the binary carries none.
func FileCapability(terms []string) (string, error) {
	var permitted, inheritable, effective uint64
	for _, term := range terms {
		i := strings.IndexAny(term, "+-=")
		if i < 0 {
			m, err := parseCap(term)
			if err != nil {
				return "", fmt.Errorf("linux_capabilities: %w", err)
			}
			permitted |= m
			continue
		}
		names, actions := term[:i], term[i:]
		if names == "" && actions[0] == '=' {
			names = "all"
		}
		var mask, keep uint64
		for _, n := range strings.Split(names, ",") {
			m, err := parseCap(n)
			if err != nil {
				return "", fmt.Errorf("linux_capabilities %q: %w", term, err)
			}
			mask |= m
		}
		for _, c := range actions {
			switch c {
			case '+':
				keep = ^uint64(0)
			case '-':
				keep = ^mask
			case '=':
				keep = ^uint64(0)
				permitted, inheritable, effective = permitted&^mask, inheritable&^mask, effective&^mask
			case 'p':
				permitted = (permitted | mask) & keep
			case 'i':
				inheritable = (inheritable | mask) & keep
			case 'e':
				effective = (effective | mask) & keep
			default:
				return "", fmt.Errorf("linux_capabilities %q: unknown flag %q", term, c)
			}
		}
	}
	if permitted == 0 && inheritable == 0 {
		return "", nil
	}
	magic := uint32(0x02000000) // VFS_CAP_REVISION_2
	if effective != 0 {
		magic |= 1
	}
	b := make([]byte, 20)
	binary.LittleEndian.PutUint32(b[0:], magic)
	binary.LittleEndian.PutUint32(b[4:], uint32(permitted))
	binary.LittleEndian.PutUint32(b[8:], uint32(inheritable))
	binary.LittleEndian.PutUint32(b[12:], uint32(permitted>>32))
	binary.LittleEndian.PutUint32(b[16:], uint32(inheritable>>32))
	return string(b), nil
}
