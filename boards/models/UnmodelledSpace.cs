// Every address of the bus that no model answers, answered by one model that counts what the guest
// does there. A guest sees what Renode gives it for an address with no peripheral (reads return 0,
// writes are dropped); tandem reads the counts once per boot (Report).
//
// Why not Renode's own `non existing peripheral` warnings: each one costs a log line (formatted,
// decorated with the PC, written and flushed to tandem's log file, then parsed), and even with
// reporting off an access to an address with no peripheral takes Renode's slow path every time
// (no translation entry is cached for it). A guest that hammers such an address ran at a fraction
// of its speed: 10 million writes, minutes. An access to a registered peripheral is an ordinary
// I/O call, and counting it is a dictionary update.
//
// The platform registers it once with its address as offset (a handle for the monitor);
// CoverUnmappedSpace, run by tandem once the platform is loaded, registers it over every gap
// between the other registrations the same way, so an access's offset is its absolute address.
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.Tandem
{
    public sealed class UnmodelledSpace : IBytePeripheral, IWordPeripheral, IDoubleWordPeripheral
    {
        public UnmodelledSpace(IMachine machine)
        {
            this.machine = machine;
        }

        // The counts span the guest's own resets; Report hands them over and starts afresh.
        public void Reset()
        {
        }

        public byte ReadByte(long offset)
        {
            Count(offset, 1, false, 0);
            return 0;
        }

        public ushort ReadWord(long offset)
        {
            Count(offset, 2, false, 0);
            return 0;
        }

        public uint ReadDoubleWord(long offset)
        {
            Count(offset, 4, false, 0);
            return 0;
        }

        public void WriteByte(long offset, byte value) => Count(offset, 1, true, value);

        public void WriteWord(long offset, ushort value) => Count(offset, 2, true, value);

        public void WriteDoubleWord(long offset, uint value) => Count(offset, 4, true, value);

        /// <summary>
        /// Whether accesses are counted (default true). The benchmark turns it off to measure what
        /// counting costs against Renode's own price of an access to a peripheral.
        /// </summary>
        public bool Counting { get; set; } = true;

        /// <summary>Registers this model over every address range no other registration covers (once).</summary>
        public string CoverUnmappedSpace()
        {
            var bus = machine.GetSystemBus(this);
            if(covered)
            {
                return "covered";
            }
            covered = true;
            var taken = bus.GetAllContextKeys().Cast<IPeripheral>().Prepend(null)
                .SelectMany(context => bus.GetRegisteredPeripherals(context))
                .Select(r => r.RegistrationPoint.Range)
                .OrderBy(r => r.StartAddress)
                .ToList();
            var gaps = 0;
            ulong next = 0;
            foreach(var range in taken)
            {
                if(range.StartAddress > next)
                {
                    Cover(bus, next, range.StartAddress - next);
                    gaps++;
                }
                next = System.Math.Max(next, range.EndAddress + 1);
            }
            if(next <= AddressSpaceEnd)
            {
                Cover(bus, next, AddressSpaceEnd - next + 1);
                gaps++;
            }
            return $"covered {gaps} ranges";
        }

        /// <summary>
        /// One line per address, width and direction, the least recent first:
        /// `unmodelled write 4 0x50000000 8600000 0x80001e0 0x0` (count, then the PC and the value
        /// of the first access), and `unmodelled more N` for accesses past the distinct-entry cap.
        /// Clears the counts.
        /// </summary>
        public string Report()
        {
            var text = new StringBuilder();
            foreach(var pair in entries.OrderBy(p => p.Value.Last))
            {
                var address = pair.Key >> 8;
                var width = (pair.Key >> 1) & 0x7F;
                var write = (pair.Key & 1) != 0;
                var e = pair.Value;
                text.Append($"unmodelled {(write ? "write" : "read")} {width} 0x{address:x} {e.Count} {(e.HasPc ? $"0x{e.Pc:x}" : "-")} {(write ? $"0x{e.Value:x}" : "-")}\n");
            }
            if(overflow > 0)
            {
                text.Append($"unmodelled more {overflow}\n");
            }
            entries.Clear();
            overflow = 0;
            return text.Length == 0 ? "unmodelled none" : text.ToString().TrimEnd('\n');
        }

        private void Cover(IBusController bus, ulong start, ulong size)
        {
            bus.Register(this, new BusRangeRegistration(start, size, start));
        }

        private void Count(long offset, int width, bool write, ulong value)
        {
            // Hot path: one dictionary update. The CPU (for the PC) is asked for only on the first
            // access of a kind; an access no CPU makes (the debugger's) gets no PC.
            if(!Counting)
            {
                return;
            }
            var key = ((ulong)offset << 8) | ((ulong)width << 1) | (write ? 1UL : 0UL);
            seq++;
            if(entries.TryGetValue(key, out var entry))
            {
                entry.Count++;
                entry.Last = seq;
                return;
            }
            if(entries.Count >= MaxDistinct)
            {
                overflow++;
                return;
            }
            entry = new Entry { Count = 1, Last = seq, Value = value };
            if(machine.GetSystemBus(this).TryGetCurrentCPU(out var cpu))
            {
                entry.Pc = cpu.PC.RawValue;
                entry.HasPc = true;
            }
            entries[key] = entry;
        }

        private readonly IMachine machine;
        private readonly Dictionary<ulong, Entry> entries = new Dictionary<ulong, Entry>();
        private ulong overflow;
        private ulong seq;
        private bool covered;

        // tandem keeps 64 per boot; the rest is counted, not itemised.
        private const int MaxDistinct = 256;
        private const ulong AddressSpaceEnd = 0xFFFFFFFF;

        private sealed class Entry
        {
            public ulong Count;
            public ulong Last;
            public ulong Pc;
            public bool HasPc;
            public ulong Value;
        }
    }
}
