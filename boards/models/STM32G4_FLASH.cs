// Flash interface registers of the STM32G4 series (RM0440 3.7: ACR 0x00, KEYR 0x08, OPTKEYR 0x0C,
// SR 0x10, CR 0x14), as the clock code and a flash driver's unlock sequence see them.
//
// Why our own model: Renode's STM32F4_FlashController has the G4's ACR latency field but leaves
// PRFTEN/ICEN/DCEN as unhandled tags (Zephyr 4.x sets them at boot; each write is logged and they
// read back 0), and past ACR it has the F4 layout (KEYR at 0x04, SR at 0x0C, CR at 0x10), which on
// a G4 puts every register one slot off.
//
// What it models:
// - ACR: LATENCY (bits 3:0), PRFTEN (8), ICEN (9), DCEN (10), RUN_PD (13), SLEEP_PD (14), DBG_SWEN
//   (18) read back what was written; reset value 0x00040600 (ICEN, DCEN, DBG_SWEN). ICRST (11) and
//   DCRST (12) read back too (there is no cache to reset).
// - The unlock sequences: KEY1 0x45670123 then KEY2 0xCDEF89AB into KEYR clears CR.LOCK; any other
//   write to KEYR locks CR until the next reset. 0x08192A3B then 0x4C5D6E7F into OPTKEYR clears
//   CR.OPTLOCK (once CR is unlocked). Writing 1 to LOCK or OPTLOCK locks again. A locked CR ignores
//   writes to its other bits.
// - SR: error and end-of-operation flags clear on writing 1 (rc_w1); BSY reads 0. PGSERR is set by
//   a store to flash memory while PG and FSTPG are clear (through the boot alias at 0x0, see
//   STM32G4_BootAlias).
// Not modelled: programming and erasing flash memory (PG/PER/MER/STRT are stored, nothing is
// written; no kernel suite programs flash), ECC, option bytes (OPTR and the protection registers),
// power-down. A flash-driver test needs more than this.
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.Tandem
{
    [AllowedTranslations(AllowedTranslation.ByteToDoubleWord | AllowedTranslation.WordToDoubleWord)]
    public sealed class STM32G4_FLASH : BasicDoubleWordPeripheral, IKnownSize
    {
        public STM32G4_FLASH(IMachine machine) : base(machine)
        {
            DefineRegisters();
            Reset();
        }

        public override void Reset()
        {
            base.Reset();
            controlKeyStep = 0;
            optionKeyStep = 0;
            controlLockedUntilReset = false;
        }

        public override void WriteDoubleWord(long offset, uint value)
        {
            // A locked CR takes only the lock bits (which can only be set).
            if(offset == (long)Registers.Control && controlLock.Value)
            {
                if((value & OptionLockBit) != 0)
                {
                    optionLock.Value = true;
                }
                return;
            }
            base.WriteDoubleWord(offset, value);
        }

        public long Size => 0x400;

        /// <summary>
        /// A store to flash memory (the boot alias at 0x0): without PG or FSTPG it is a programming
        /// sequence error; with them it would program, which is not modelled. Memory never changes.
        /// </summary>
        public void StoreToFlashMemory()
        {
            if(!programming.Value && !fastProgramming.Value)
            {
                programmingSequenceError.Value = true;
            }
        }

        private void DefineRegisters()
        {
            Registers.AccessControl.Define(this, 0x00040600, name: "FLASH_ACR")
                .WithValueField(0, 4, name: "LATENCY")
                .WithReservedBits(4, 4)
                .WithFlag(8, name: "PRFTEN")
                .WithFlag(9, name: "ICEN")
                .WithFlag(10, name: "DCEN")
                .WithFlag(11, name: "ICRST")
                .WithFlag(12, name: "DCRST")
                .WithFlag(13, name: "RUN_PD")
                .WithFlag(14, name: "SLEEP_PD")
                .WithReservedBits(15, 3)
                .WithFlag(18, name: "DBG_SWEN")
                .WithReservedBits(19, 13);

            Registers.PowerDownKey.Define(this, name: "FLASH_PDKEYR")
                .WithValueField(0, 32, FieldMode.Write, name: "PDKEYR");

            Registers.Key.Define(this, name: "FLASH_KEYR")
                .WithValueField(0, 32, FieldMode.Write, writeCallback: (_, value) => ControlKey((uint)value), name: "KEYR");

            Registers.OptionKey.Define(this, name: "FLASH_OPTKEYR")
                .WithValueField(0, 32, FieldMode.Write, writeCallback: (_, value) => OptionKey((uint)value), name: "OPTKEYR");

            Registers.Status.Define(this, name: "FLASH_SR")
                .WithFlag(0, FieldMode.Read | FieldMode.WriteOneToClear, name: "EOP")
                .WithFlag(1, FieldMode.Read | FieldMode.WriteOneToClear, name: "OPERR")
                .WithReservedBits(2, 1)
                .WithFlag(3, FieldMode.Read | FieldMode.WriteOneToClear, name: "PROGERR")
                .WithFlag(4, FieldMode.Read | FieldMode.WriteOneToClear, name: "WRPERR")
                .WithFlag(5, FieldMode.Read | FieldMode.WriteOneToClear, name: "PGAERR")
                .WithFlag(6, FieldMode.Read | FieldMode.WriteOneToClear, name: "SIZERR")
                .WithFlag(7, out programmingSequenceError, FieldMode.Read | FieldMode.WriteOneToClear, name: "PGSERR")
                .WithFlag(8, FieldMode.Read | FieldMode.WriteOneToClear, name: "MISERR")
                .WithFlag(9, FieldMode.Read | FieldMode.WriteOneToClear, name: "FASTERR")
                .WithReservedBits(10, 4)
                .WithFlag(14, FieldMode.Read | FieldMode.WriteOneToClear, name: "RDERR")
                .WithFlag(15, FieldMode.Read | FieldMode.WriteOneToClear, name: "OPTVERR")
                .WithFlag(16, FieldMode.Read, valueProviderCallback: _ => false, name: "BSY")
                .WithReservedBits(17, 15);

            Registers.Control.Define(this, 0xC0000000, name: "FLASH_CR")
                .WithFlag(0, out programming, name: "PG")
                .WithFlag(1, name: "PER")
                .WithFlag(2, name: "MER1")
                .WithValueField(3, 7, name: "PNB")
                .WithReservedBits(10, 1)
                .WithFlag(11, name: "BKER")
                .WithReservedBits(12, 3)
                .WithFlag(15, name: "MER2")
                .WithFlag(16, FieldMode.Read | FieldMode.Set, valueProviderCallback: _ => false, name: "STRT")
                .WithFlag(17, FieldMode.Read | FieldMode.Set, valueProviderCallback: _ => false, name: "OPTSTRT")
                .WithFlag(18, out fastProgramming, name: "FSTPG")
                .WithReservedBits(19, 5)
                .WithFlag(24, name: "EOPIE")
                .WithFlag(25, name: "ERRIE")
                .WithFlag(26, name: "RDERRIE")
                .WithFlag(27, FieldMode.Read | FieldMode.Set, valueProviderCallback: _ => false, name: "OBL_LAUNCH")
                .WithFlag(28, name: "SEC_PROT1")
                .WithFlag(29, name: "SEC_PROT2")
                .WithFlag(30, out optionLock, FieldMode.Read | FieldMode.Set, name: "OPTLOCK")
                .WithFlag(31, out controlLock, FieldMode.Read | FieldMode.Set, name: "LOCK");
        }

        private void ControlKey(uint value)
        {
            if(controlLockedUntilReset)
            {
                return;
            }
            if(controlKeyStep == 0 && value == Key1)
            {
                controlKeyStep = 1;
                return;
            }
            if(controlKeyStep == 1 && value == Key2)
            {
                controlKeyStep = 0;
                controlLock.Value = false;
                return;
            }
            controlKeyStep = 0;
            controlLockedUntilReset = true;
        }

        private void OptionKey(uint value)
        {
            if(optionKeyStep == 0 && value == OptionKey1)
            {
                optionKeyStep = 1;
                return;
            }
            if(optionKeyStep == 1 && value == OptionKey2 && !controlLock.Value)
            {
                optionLock.Value = false;
            }
            optionKeyStep = 0;
        }

        private IFlagRegisterField controlLock;
        private IFlagRegisterField programming;
        private IFlagRegisterField fastProgramming;
        private IFlagRegisterField programmingSequenceError;
        private IFlagRegisterField optionLock;
        private int controlKeyStep;
        private int optionKeyStep;
        private bool controlLockedUntilReset;

        private const uint Key1 = 0x45670123;
        private const uint Key2 = 0xCDEF89AB;
        private const uint OptionKey1 = 0x08192A3B;
        private const uint OptionKey2 = 0x4C5D6E7F;
        private const uint OptionLockBit = 1u << 30;

        private enum Registers
        {
            AccessControl = 0x00,
            PowerDownKey = 0x04,
            Key = 0x08,
            OptionKey = 0x0C,
            Status = 0x10,
            Control = 0x14,
        }
    }
}
