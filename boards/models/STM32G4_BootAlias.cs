// The boot memory alias of the STM32G4 at 0x00000000 (RM0440 2.2 memory map: 0x0000 0000 -
// 0x0007 FFFF "aliased boot memory"; 2.6 boot configuration). With BOOT0 low (the NUCLEO-G474RE
// pulls it down) and the factory option bytes, main flash is the boot area and reads of
// 0x0000_0000 + n return flash at 0x0800_0000 + n: the CPU fetches its initial SP and PC there.
//
// Writes, as the silicon takes them: flash memory is not written by a store. A write while
// FLASH_CR.PG and FSTPG are clear sets FLASH_SR.PGSERR ("set by hardware when a write access to
// the flash memory is performed by the code while PG or FSTPG have not been set previously") and
// changes nothing; no bus error, no interrupt (ERRIE covers OPERR only). With PG set the write
// would program a double word; programming is not modelled (see STM32G4_FLASH), so it changes
// nothing either.
//
// Why it matters: a deadlocked Zephyr image that writes zeros to 0x0 and 0x4 in a loop met "no
// peripheral" there, and Renode logged each write as a warning (millions per second of guest time).
//
// Not modelled: SYSCFG_MEMRMP.MEM_MODE remapping system memory, FMC or SRAM1 to 0x0 (SYSCFG has
// no model on this board: such a write is an unmodelled access), instruction fetch from the alias
// (a peripheral, not memory, to Renode; Zephyr runs from 0x0800_0000).
using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.Memory;

namespace Antmicro.Renode.Peripherals.Tandem
{
    public sealed class STM32G4_BootAlias : IBytePeripheral, IWordPeripheral, IDoubleWordPeripheral, IKnownSize
    {
        public STM32G4_BootAlias(IMachine machine, MappedMemory flash, STM32G4_FLASH controller)
        {
            this.flash = flash;
            this.controller = controller;
        }

        public void Reset()
        {
        }

        public byte ReadByte(long offset) => flash.ReadByte(offset);

        public ushort ReadWord(long offset) => flash.ReadWord(offset);

        public uint ReadDoubleWord(long offset) => flash.ReadDoubleWord(offset);

        public void WriteByte(long offset, byte value) => controller.StoreToFlashMemory();

        public void WriteWord(long offset, ushort value) => controller.StoreToFlashMemory();

        public void WriteDoubleWord(long offset, uint value) => controller.StoreToFlashMemory();

        public long Size => 0x80000;

        private readonly MappedMemory flash;
        private readonly STM32G4_FLASH controller;
    }
}
