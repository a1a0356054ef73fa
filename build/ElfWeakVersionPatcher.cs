// Marks chosen symbol-version requirements of an ELF64 shared library as weak (VER_FLG_WEAK), so that
// glibc's loader accepts the library on a system whose libstdc++ lacks that version.
// Why this is safe for TorchSharp 0.107 and which version it is: shared/notes/torchsharp-on-older-linux.md.
// Compiled twice: as an MSBuild inline task (build/TorchSharpNativeFix.targets; netstandard2.0 APIs only)
// and into the test project.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Penumbra.Build
{
    public static class ElfWeakVersionPatcher
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>Version names required by the file, per needed library, with their flags.</summary>
        public static List<(string File, string Version, ushort Flags, long FlagsOffset)> ReadVersionNeeds(byte[] elf)
        {
            var result = new List<(string, string, ushort, long)>();
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only little-endian ELF64 is supported");
            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            if (shoff <= 0 || shentsize < 64 || shoff + (long)shentsize * shnum > elf.Length)
                throw new InvalidDataException("section headers out of range");
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 24);
                int link = (int)BitConverter.ToUInt32(elf, (int)sh + 40);
                int count = (int)BitConverter.ToUInt32(elf, (int)sh + 44);
                long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize) + 24);
                long need = offset;
                for (int n = 0; n < count; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                    string file = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)need + 4));
                    long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        string name = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                        result.Add((file, name, flags, aux + 4));
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                    if (next == 0) break;
                    need += next;
                }
            }
            return result;
        }

        /// <summary>Sets the weak flag on every requirement named in <paramref name="versions"/>; returns how many changed.
        /// Writes through a temporary file and a rename, so a hard link into a package cache is never modified.</summary>
        public static int Patch(string path, ICollection<string> versions)
        {
            byte[] elf = File.ReadAllBytes(path);
            int changed = 0;
            foreach (var need in ReadVersionNeeds(elf))
            {
                if (!versions.Contains(need.Version) || (need.Flags & VerFlagWeak) != 0) continue;
                BitConverter.GetBytes((ushort)(need.Flags | VerFlagWeak)).CopyTo(elf, need.FlagsOffset);
                changed++;
            }
            if (changed == 0) return 0;
            string tmp = path + ".weakpatch.tmp";
            File.WriteAllBytes(tmp, elf);
            File.Delete(path); // unlink first: the old path may be a hard link into a package cache
            File.Move(tmp, path);
            return changed;
        }

        /// <summary>True when a file contains the version string, e.g. the system libstdc++ defines GLIBCXX_3.4.32.</summary>
        public static bool FileMentions(string path, string version)
        {
            byte[] bytes = File.ReadAllBytes(path);
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            for (int i = 0; i + needle.Length <= bytes.Length; i++)
            {
                int k = 0;
                while (k < needle.Length && bytes[i + k] == needle[k]) k++;
                if (k == needle.Length) return true;
            }
            return false;
        }

        public static readonly string[] SystemLibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };

        /// <summary>The versions from <paramref name="wanted"/> that the system libstdc++ does not provide.</summary>
        public static List<string> MissingFromSystem(IEnumerable<string> wanted)
        {
            var missing = new List<string>();
            string? lib = Array.Find(SystemLibStdCxxCandidates, File.Exists);
            foreach (var v in wanted)
                if (lib == null || !FileMentions(lib, v)) missing.Add(v);
            return missing;
        }

        private static string ReadString(byte[] elf, long offset)
        {
            int end = (int)offset;
            while (end < elf.Length && elf[end] != 0) end++;
            return Encoding.ASCII.GetString(elf, (int)offset, end - (int)offset);
        }
    }

#if !PENUMBRA_ELF_NO_MSBUILD
    public sealed class PatchTorchSharpNatives : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public string Directory { get; set; } = "";
        [Microsoft.Build.Framework.Required] public string Versions { get; set; } = "";

        public override bool Execute()
        {
            bool linux = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux);
            if (!linux || !System.IO.Directory.Exists(Directory)) return true;
            var missing = ElfWeakVersionPatcher.MissingFromSystem(Versions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries));
            if (missing.Count == 0) return true; // the system libstdc++ is new enough: nothing to do
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                int n = ElfWeakVersionPatcher.Patch(file, missing);
                if (n > 0) Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    $"Penumbra: marked {string.Join(", ", missing)} weak in {file} (system libstdc++ lacks it)");
            }
            return true;
        }
    }
#endif
}
