// Bouncy Castle's side of tests/interop/bc_countersign.sh (RFC 5652 section 11.4):
//   verify IN [CONTENT]            every signature and every countersignature of a DER
//                                  SignedData (CONTENT: the detached content), with the
//                                  certificates it carries; one line each; exit 1 on a failure
//   countersign IN OUT CERT KEY ALG [CONTENT]
//                                  BC countersigns SignerInfo 0 (CMSSignedDataGenerator.
//                                  generateCounterSigners) and adds CERT to the certificates
import java.io.ByteArrayInputStream;
import java.io.FileReader;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.SignerInformationStore;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.util.CollectionStore;
import org.bouncycastle.util.Store;

public final class BcCountersign {
    private BcCountersign() {}

    private static CMSSignedData read(String in, String content) throws Exception {
        byte[] der = Files.readAllBytes(Paths.get(in));
        if (content == null) {
            return new CMSSignedData(der);
        }
        return new CMSSignedData(new CMSProcessableByteArray(Files.readAllBytes(Paths.get(content))), der);
    }

    @SuppressWarnings("unchecked")
    private static boolean verifyOne(Store<X509CertificateHolder> certs, SignerInformation si, String name)
            throws Exception {
        Collection<X509CertificateHolder> m = certs.getMatches(si.getSID());
        if (m.isEmpty()) {
            System.out.println(name + " NO-CERTIFICATE");
            return false;
        }
        X509CertificateHolder h = m.iterator().next();
        boolean ok = si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(h));
        System.out.println(name + (ok ? " valid " : " INVALID ") + h.getSubject());
        return ok;
    }

    @SuppressWarnings("unchecked")
    private static int verify(String in, String content) throws Exception {
        CMSSignedData sd = read(in, content);
        Store<X509CertificateHolder> certs = sd.getCertificates();
        boolean all = true;
        int i = 0;
        for (SignerInformation si : sd.getSignerInfos().getSigners()) {
            all &= verifyOne(certs, si, "signer " + i);
            int j = 0;
            for (SignerInformation cs : si.getCounterSignatures().getSigners()) {
                all &= verifyOne(certs, cs, "countersigner " + i + "." + j);
                j++;
            }
            i++;
        }
        return all ? 0 : 1;
    }

    @SuppressWarnings("unchecked")
    private static int countersign(String in, String out, String certPath, String keyPath, String alg,
                                   String content) throws Exception {
        CMSSignedData sd = read(in, content);
        X509Certificate cert;
        try (ByteArrayInputStream b = new ByteArrayInputStream(Files.readAllBytes(Paths.get(certPath)))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(b);
        }
        PrivateKey key;
        try (PEMParser p = new PEMParser(new FileReader(keyPath))) {
            key = new JcaPEMKeyConverter().setProvider("BC").getPrivateKey((PrivateKeyInfo) p.readObject());
        }
        ContentSigner signer = new JcaContentSignerBuilder(alg).setProvider("BC").build(key);
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        gen.addSignerInfoGenerator(
            new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().setProvider("BC").build())
                .build(signer, cert));
        List<SignerInformation> signers = new ArrayList<>(sd.getSignerInfos().getSigners());
        SignerInformation first = signers.get(0);
        signers.set(0, SignerInformation.addCounterSigners(first, gen.generateCounterSigners(first)));
        CMSSignedData res = CMSSignedData.replaceSigners(sd, new SignerInformationStore(signers));
        List<X509CertificateHolder> certs = new ArrayList<>(res.getCertificates().getMatches(null));
        certs.add(new JcaX509CertificateHolder(cert));
        res = CMSSignedData.replaceCertificatesAndCRLs(res, new CollectionStore<>(certs), null, null);
        Files.write(Paths.get(out), res.getEncoded("DER"));
        return 0;
    }

    public static void main(String[] a) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        if (a.length >= 2 && a[0].equals("verify")) {
            System.exit(verify(a[1], a.length > 2 ? a[2] : null));
        }
        if (a.length >= 6 && a[0].equals("countersign")) {
            System.exit(countersign(a[1], a[2], a[3], a[4], a[5], a.length > 6 ? a[6] : null));
        }
        System.err.println("usage: verify IN [CONTENT] | countersign IN OUT CERT KEY ALG [CONTENT]");
        System.exit(2);
    }
}
