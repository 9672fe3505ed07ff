// EncryptedData/DigestedData/CompressedData ops of the Bouncy Castle peer (tests/interop/bc.sh).
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.CipherOutputStream;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSCompressedData;
import org.bouncycastle.cms.CMSCompressedDataGenerator;
import org.bouncycastle.cms.CMSCompressedDataStreamGenerator;
import org.bouncycastle.cms.CMSDigestedData;
import org.bouncycastle.cms.CMSEncryptedData;
import org.bouncycastle.cms.CMSEncryptedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.jcajce.ZlibCompressor;
import org.bouncycastle.cms.jcajce.ZlibExpanderProvider;
import org.bouncycastle.mail.smime.SMIMECompressed;
import org.bouncycastle.mail.smime.SMIMECompressedGenerator;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.GenericKey;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.operator.jcajce.JceGenericKey;
import org.bouncycastle.operator.jcajce.JceInputDecryptorProviderBuilder;
import org.bouncycastle.util.encoders.Hex;

/** EncryptedData, DigestedData and CompressedData. */
final class OtherOps extends PeerBase {

    static String edataEncrypt(Opts o) throws Exception {
        String cipher = o.get("cipher");
        if (!cipher.endsWith("-cbc")) {
            throw new Unsupported("EncryptedData with " + cipher);
        }
        ASN1ObjectIdentifier coid = EnvelopedOps.cipherOid(cipher);
        SecretKeySpec key = new SecretKeySpec(Hex.decode(o.get("key")), "AES");
        byte[] iv = new byte[16];
        RNG.nextBytes(iv);
        Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding", BC);
        c.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        AlgorithmIdentifier ai = new AlgorithmIdentifier(coid, new DEROctetString(iv));
        // CMSEncryptedDataGenerator takes the key from the encryptor: a given key needs our own.
        OutputEncryptor enc = new OutputEncryptor() {
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return ai;
            }

            public OutputStream getOutputStream(OutputStream out) {
                return new CipherOutputStream(out, c);
            }

            public GenericKey getKey() {
                return new JceGenericKey(ai, key);
            }
        };
        byte[] der = new CMSEncryptedDataGenerator().generate(new CMSProcessableByteArray(read(o.get("in"))), enc)
                .toASN1Structure().getEncoded("DER");
        String form = o.get("form");
        write(o.get("out"), form.equals("smime") ? wrapCms(o.opt("from", "alice@example.com"), null, der) : der);
        String self;
        try {
            edataDecrypt(new Opts(List.of("--form", form, "--key", o.get("key"), "--in", o.get("out"),
                    "--out", o.get("out") + ".self")));
            self = "self=ok";
        } catch (Exception e) {
            self = "self=fail:" + describe(e).replace(' ', '_');
        }
        return "cipher=" + coid.getId() + " " + self;
    }

    static byte[] cmsIn(Opts o) throws Exception {
        return o.get("form").startsWith("smime") ? cmsOfMessage(message(o.get("in"))) : read(o.get("in"));
    }

    static String edataDecrypt(Opts o) throws Exception {
        ContentInfo ci = ContentInfo.getInstance(cmsIn(o));
        if (!ci.getContentType().equals(CMSObjectIdentifiers.encryptedData)) {
            throw new IllegalArgumentException("expected id-encryptedData, got " + ci.getContentType());
        }
        org.bouncycastle.asn1.cms.EncryptedData ed = org.bouncycastle.asn1.cms.EncryptedData.getInstance(ci.getContent());
        byte[] plain = new CMSEncryptedData(ci).getContent(
                new JceInputDecryptorProviderBuilder().setProvider(BC).build(Hex.decode(o.get("key"))));
        write(o.get("out"), plain);
        return "type=encrypted cipher=" + oid(ed.getEncryptedContentInfo().getContentEncryptionAlgorithm());
    }

    // ---------------------------------------------------------------- DigestedData

    static org.bouncycastle.asn1.cms.DigestedData digestedData(byte[] in, String alg) throws Exception {
        AlgorithmIdentifier dai = new DefaultDigestAlgorithmIdentifierFinder().find(alg);
        byte[] d = MessageDigest.getInstance(alg, BC).digest(in);
        return new org.bouncycastle.asn1.cms.DigestedData(dai,
                new ContentInfo(CMSObjectIdentifiers.data, new DEROctetString(in)), d);
    }

    static String digest(Opts o) throws Exception {
        ContentInfo ci = new ContentInfo(CMSObjectIdentifiers.digestedData,
                digestedData(read(o.get("in")), o.opt("alg", "SHA-256")));
        byte[] der = ci.getEncoded("DER");
        String form = o.get("form");
        write(o.get("out"), form.equals("smime") ? wrapCms(o.opt("from", "alice@example.com"), null, der) : der);
        String self;
        try {
            undigest(new Opts(List.of("--form", form, "--in", o.get("out"), "--out", o.get("out") + ".self")));
            self = "self=ok";
        } catch (Exception e) {
            self = "self=fail:" + describe(e).replace(' ', '_');
        }
        return self;
    }

    static String undigest(Opts o) throws Exception {
        CMSDigestedData dd = new CMSDigestedData(cmsIn(o));
        if (!dd.verify(new JcaDigestCalculatorProviderBuilder().setProvider(BC).build())) {
            throw new IllegalArgumentException("digest does not match the content");
        }
        byte[] plain = (byte[]) dd.getDigestedContent().getContent();
        write(o.get("out"), plain);
        return "type=digested digest=" + oid(dd.getDigestAlgorithm());
    }

    // ---------------------------------------------------------------- CompressedData

    static String compress(Opts o) throws Exception {
        String form = o.get("form");
        byte[] out;
        switch (form) {
            case "smime": {
                SMIMECompressedGenerator g = new SMIMECompressedGenerator();
                out = wrapPart(o.opt("from", "alice@example.com"), g.generate(entity(o.get("in")), new ZlibCompressor()));
                break;
            }
            case "der":
                out = new CMSCompressedDataGenerator().generate(new CMSProcessableByteArray(read(o.get("in"))),
                        new ZlibCompressor()).getEncoded();
                break;
            case "der-stream": {
                CMSCompressedDataStreamGenerator g = new CMSCompressedDataStreamGenerator();
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try (OutputStream s = g.open(b, new ZlibCompressor())) {
                    s.write(read(o.get("in")));
                }
                out = b.toByteArray();
                break;
            }
            default:
                throw new IllegalArgumentException("compress: unknown form " + form);
        }
        write(o.get("out"), out);
        String self;
        try {
            decompress(new Opts(List.of("--form", form.equals("der-stream") ? "der" : form, "--in", o.get("out"),
                    "--out", o.get("out") + ".self")));
            self = "self=ok";
        } catch (Exception e) {
            self = "self=fail:" + describe(e).replace(' ', '_');
        }
        return self;
    }

    static String decompress(Opts o) throws Exception {
        String form = o.get("form");
        byte[] plain;
        if (form.equals("smime")) {
            SMIMECompressed c = new SMIMECompressed(message(o.get("in")));
            plain = c.getContent(new ZlibExpanderProvider());
        } else {
            plain = new CMSCompressedData(read(o.get("in"))).getContent(new ZlibExpanderProvider());
        }
        write(o.get("out"), plain);
        return "bytes=" + plain.length;
    }
}
